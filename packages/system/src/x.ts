#!/usr/bin/env node
// The `x` command: run functions and commands on many machines at once. Built on main() and the same
// public APIs a user of @x/system has.
import { main } from './main.js';
import { x } from './x/cli.js';

void main(x, { router: { logPrinter: false } });
