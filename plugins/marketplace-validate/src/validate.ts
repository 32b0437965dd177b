import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
} from '@backstage/catalog-model';
import {
  EntityProblem,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  modelServiceEntityProblems,
  PROVIDER_KIND,
  providerEntityProblems,
} from '@internal/plugin-marketplace-common';
import { Document, LineCounter, parseAllDocuments } from 'yaml';

/** A problem of one entity, with the line of the file it is about. */
export interface Finding extends EntityProblem {
  line?: number;
  /** Warnings do not fail the check. */
  severity: 'error' | 'warning';
}

/** One document of a checked file. */
export interface EntityReport {
  /** 1-based index of the YAML document in its file. */
  document: number;
  kind: string;
  name: string;
  /** The line the document starts on. */
  line: number;
  /** Whether the marketplace validated it (other kinds are left to the catalog). */
  checked: boolean;
  entity: Entity;
  findings: Finding[];
  /** Finds the line of a field (for findings added later, e.g. by the portal check). */
  lineOf(field: string): number | undefined;
}

/** A checked file. */
export interface FileReport {
  file: string;
  entities: EntityReport[];
  /** Problems of the file itself (YAML syntax). */
  findings: Finding[];
}

const catalogPolicy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

const VALIDATORS: Record<string, (data: unknown) => EntityProblem[]> = {
  [MODEL_SERVICE_KIND]: modelServiceEntityProblems,
  [PROVIDER_KIND]: providerEntityProblems,
};

/** `spec.pricing.tiers[0].x` as a YAML path: `['spec', 'pricing', 'tiers', 0, 'x']`. */
function fieldPath(field: string): (string | number)[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(m =>
    m[2] !== undefined ? Number(m[2]) : m[1],
  );
}

function lineFinder(document: Document, lines: LineCounter) {
  return (field: string): number | undefined => {
    const path = fieldPath(field);
    // A missing field: the line of the nearest parent that exists.
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) {
        return lines.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
}

/**
 * Checks the text of a catalog YAML file offline, the way the portal does: every
 * ModelService and Provider against its kind's schema and rules (every problem at
 * once), plus the catalog's own checks of names and fields. Other kinds are
 * listed but left to the catalog.
 */
export async function validateYaml(
  file: string,
  text: string,
): Promise<FileReport> {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines });
  const report: FileReport = { file, entities: [], findings: [] };
  if (!Array.isArray(documents)) {
    // An empty file parses to an empty stream.
    return report;
  }
  for (const [index, document] of documents.entries()) {
    for (const error of document.errors) {
      report.findings.push({
        field: '',
        message: `is not valid YAML: ${error.message.split('\n')[0]}`,
        line: error.linePos?.[0].line,
        severity: 'error',
      });
    }
    if (document.errors.length) {
      continue;
    }
    const data = document.toJS();
    if (data === null || data === undefined) {
      continue;
    }
    const lineOf = lineFinder(document, lines);
    const line = document.contents?.range
      ? lines.linePos(document.contents.range[0]).line
      : 1;
    const entity = data as Entity;
    const entry: EntityReport = {
      document: index + 1,
      kind: typeof entity?.kind === 'string' ? entity.kind : '?',
      name:
        typeof entity?.metadata?.name === 'string' ? entity.metadata.name : '?',
      line,
      checked: false,
      entity,
      findings: [],
      lineOf,
    };
    report.entities.push(entry);
    const add = (problems: EntityProblem[]) =>
      entry.findings.push(
        ...problems.map(p => ({
          ...p,
          line: lineOf(p.field) ?? line,
          severity: 'error' as const,
        })),
      );
    if (typeof data !== 'object' || Array.isArray(data)) {
      add([{ field: '', message: 'is not an entity (a YAML mapping)' }]);
      continue;
    }
    if (entity.apiVersion !== MARKETPLACE_API_VERSION) {
      continue;
    }
    const validate = VALIDATORS[entry.kind];
    entry.checked = true;
    if (!validate) {
      add([
        {
          field: 'kind',
          message: `must be ${MODEL_SERVICE_KIND} or ${PROVIDER_KIND} for apiVersion ${MARKETPLACE_API_VERSION} (got ${JSON.stringify(
            entity.kind,
          )})`,
        },
      ]);
      continue;
    }
    const problems = validate(structuredClone(data));
    if (!problems.length) {
      try {
        await catalogPolicy.enforce(structuredClone(entity));
      } catch (error) {
        problems.push({ field: '', message: (error as Error).message });
      }
    }
    add(problems);
  }
  return report;
}
