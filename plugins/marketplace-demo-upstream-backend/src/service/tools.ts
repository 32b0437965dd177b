import { createHash } from 'crypto';
import { ChatCompletionRequest } from './request';
import { countTextTokens, messageText } from './tokens';

/** A simulated function call. */
export interface SimulatedToolCall {
  id: string;
  name: string;
  arguments: string;
  completionTokens: number;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  default?: unknown;
};

/** A deterministic value that satisfies a (simple) JSON Schema. */
function exampleFor(schema: JsonSchema | undefined, hint: string): unknown {
  if (!schema || typeof schema !== 'object') {
    return hint;
  }
  if (schema.default !== undefined) {
    return schema.default;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[0];
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleFor(schema.items, hint)];
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = schema.properties ?? {};
      const keys = schema.required?.length
        ? schema.required
        : Object.keys(props);
      for (const key of keys) {
        out[key] = exampleFor(props[key], key);
      }
      return out;
    }
    default:
      return hint;
  }
}

function functionTools(request: ChatCompletionRequest) {
  return (request.tools ?? [])
    .map(
      t =>
        t as {
          type?: string;
          function?: { name?: string; parameters?: JsonSchema };
        },
    )
    .filter(t => t.type === 'function' && typeof t.function?.name === 'string');
}

/**
 * Decides whether the simulated model calls a tool, the way a real one would be
 * steered: `tool_choice: 'required'` calls the first function, a named
 * `tool_choice` calls that one, `'none'` never calls, and `'auto'` (the default)
 * calls a function whose name the last user message mentions.
 */
export function simulateToolCall(
  request: ChatCompletionRequest,
): SimulatedToolCall | undefined {
  const tools = functionTools(request);
  if (tools.length === 0) {
    return undefined;
  }
  const choice = request.tool_choice;
  let tool: (typeof tools)[number] | undefined;
  if (choice === 'none') {
    return undefined;
  } else if (choice === 'required') {
    tool = tools[0];
  } else if (choice && typeof choice === 'object') {
    const name = (choice as { function?: { name?: string } }).function?.name;
    tool = tools.find(t => t.function!.name === name);
  } else {
    const lastUser = [...request.messages]
      .reverse()
      .find(m => m.role === 'user');
    const text = lastUser
      ? messageText(lastUser).toLocaleLowerCase('en-US')
      : '';
    tool = tools.find(t =>
      text.includes(t.function!.name!.toLocaleLowerCase('en-US')),
    );
  }
  if (!tool) {
    return undefined;
  }
  const name = tool.function!.name!;
  const args = JSON.stringify(
    exampleFor(tool.function?.parameters ?? { type: 'object' }, name),
  );
  const id = `call_${createHash('sha256')
    .update(`${name}:${args}:${JSON.stringify(request.messages)}`)
    .digest('base64url')
    .slice(0, 24)}`;
  return {
    id,
    name,
    arguments: args,
    completionTokens: countTextTokens(name) + countTextTokens(args),
  };
}
