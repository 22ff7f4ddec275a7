#!/usr/bin/env node
/** The command-line utility of the markup project: `node manage.ts help` lists its commands. */
import { executeFromCommandLine } from 'tsgi/core/management';

process.env.TSGI_SETTINGS_MODULE ??= 'markup.settings';
process.exitCode = await executeFromCommandLine(process.argv);
