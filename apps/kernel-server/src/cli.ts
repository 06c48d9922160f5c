#!/usr/bin/env node
// The `tessera` executable (package.json "bin": dist/cli.js); the command itself is cli/main.ts.
import { main } from "./cli/main.js";

void main();
