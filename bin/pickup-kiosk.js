#!/usr/bin/env node
// The installed binary: runs the compiled command line (npm install builds dist/).
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
