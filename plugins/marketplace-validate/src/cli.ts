import { stringifyEntityRef } from '@backstage/catalog-model';
import fs from 'fs';
import path from 'path';
import { parseArgs } from 'util';
import { checkAgainstPortal, PortalClient, PortalError } from './portal';
import { FileReport, Finding, validateYaml } from './validate';

export const USAGE = `Usage: marketplace-validate [options] <file.yaml...>

Checks ModelService and Provider entities the way the portal does: every problem
of every entity at once, each naming its field and line. Other kinds are listed
and left to the catalog.

Offline by default. With --portal it also asks the portal whether spec.owner and
spec.providedBy exist, whether spec.endpoint.auth.secretRef names a credential
the provider may use (service tokens only) and whether each name is free.

Options:
  --portal <url>     the portal's base URL, e.g. https://portal.acme.io
  --token <token>    a token for the portal (or MARKETPLACE_TOKEN in the environment)
  --location <url>   the URL the file is registered from: its own entities do not
                     count as taken names (one file only)
  --json             print the findings as JSON
  -h, --help         show this text

Exit code: 0 when every file is valid (warnings allowed), 1 when a problem was
found, 2 when the command could not run (a missing file, an unreachable portal).`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  fetch?: typeof fetch;
}

function finding(f: Finding): string {
  const where = f.line ? `line ${f.line}: ` : '';
  const mark = f.severity === 'error' ? 'error' : 'warning';
  return `${mark}: ${where}${f.field ? `${f.field} ` : ''}${f.message}`;
}

/** `::error file=...,line=...::message` for GitHub Actions' annotations. */
function annotation(file: string, f: Finding): string {
  const escape = (s: string) =>
    s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const line = f.line ? `,line=${f.line}` : '';
  return `::${f.severity} file=${file}${line}::${escape(
    `${f.field ? `${f.field} ` : ''}${f.message}`,
  )}`;
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        portal: { type: 'string' },
        token: { type: 'string' },
        location: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals: files } = args;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (files.length === 0) {
    io.stderr(`No file given.\n\n${USAGE}\n`);
    return 2;
  }
  if (values.location && files.length > 1) {
    io.stderr('--location names the URL of one file: give one file with it\n');
    return 2;
  }
  const token = values.token ?? io.env.MARKETPLACE_TOKEN;
  const portal = values.portal
    ? new PortalClient(values.portal, token, io.fetch)
    : undefined;

  const reports: FileReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      io.stderr(`Cannot read ${file}: ${(error as Error).message}\n`);
      return 2;
    }
    reports.push(await validateYaml(file, text));
  }

  if (portal) {
    // Entities of the files checked together may reference each other.
    const sameRun = new Set(
      reports.flatMap(r =>
        r.entities
          .filter(e => e.kind !== '?' && e.name !== '?')
          .map(e =>
            stringifyEntityRef({
              kind: e.kind,
              namespace: e.entity.metadata?.namespace ?? 'default',
              name: e.name,
            }),
          ),
      ),
    );
    try {
      for (const report of reports) {
        for (const entry of report.entities) {
          if (entry.checked && entry.name !== '?') {
            entry.findings.push(
              ...(await checkAgainstPortal(entry, portal, {
                location: values.location,
                sameRun,
              })),
            );
          }
        }
      }
    } catch (error) {
      const message =
        error instanceof PortalError
          ? error.message
          : `cannot reach ${values.portal}: ${(error as Error).message}`;
      io.stderr(`Portal check failed: ${message}\n`);
      return 2;
    }
  }

  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    const all = [
      ...report.findings,
      ...report.entities.flatMap(e => e.findings),
    ];
    errors += all.filter(f => f.severity === 'error').length;
    warnings += all.filter(f => f.severity === 'warning').length;
  }

  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          ok: errors === 0,
          errors,
          warnings,
          files: reports.map(r => ({
            file: r.file,
            findings: r.findings,
            entities: r.entities.map(e => ({
              kind: e.kind,
              name: e.name,
              line: e.line,
              checked: e.checked,
              findings: e.findings,
            })),
          })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const github = io.env.GITHUB_ACTIONS === 'true';
    for (const report of reports) {
      for (const f of report.findings) {
        io.stdout(`${report.file}: ${finding(f)}\n`);
        if (github) io.stdout(`${annotation(report.file, f)}\n`);
      }
      if (!report.entities.length && !report.findings.length) {
        io.stdout(`${report.file}: no entities\n`);
      }
      for (const e of report.entities) {
        const label = `${report.file}: ${e.kind} ${e.name} (line ${e.line})`;
        if (!e.checked) {
          io.stdout(`${label}: not a marketplace kind, left to the catalog\n`);
          continue;
        }
        const count = e.findings.filter(f => f.severity === 'error').length;
        io.stdout(
          `${label}: ${
            count ? `${count} problem${count === 1 ? '' : 's'}` : 'ok'
          }\n`,
        );
        for (const f of e.findings) {
          io.stdout(`  ${finding(f)}\n`);
          if (github) io.stdout(`${annotation(report.file, f)}\n`);
        }
      }
    }
    io.stdout(
      `${
        errors ? `${errors} problem${errors === 1 ? '' : 's'}` : 'No problems'
      }${
        warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''
      } in ${reports.length} file${reports.length === 1 ? '' : 's'}${
        portal ? ` (checked against ${values.portal})` : ' (offline)'
      }\n`,
    );
  }
  return errors ? 1 : 0;
}
