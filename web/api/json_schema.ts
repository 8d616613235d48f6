/**
 * JSON Schema of the zod schemas the routes validate with (the subset they use: objects, strings
 * with length and pattern, numbers with bounds, booleans, enums, arrays, unions, optional,
 * nullable, defaults, refinements and pipes), so the OpenAPI document cannot drift from the checks.
 *
 * @module
 */

import { z } from "zod";

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

/** True when `schema` accepts `undefined` (optional or defaulted). */
export function isOptional(schema: z.ZodTypeAny): boolean {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault;
}

/**
 * The JSON Schema of `schema`. For a pipe (`text → number`), `side` picks the input (a body as
 * sent) or the output (a query parameter, documented by the value it must denote).
 */
export function jsonSchemaOf(schema: z.ZodTypeAny, side: "input" | "output" = "input"): JsonSchema {
  const def = schema._def;
  if (schema instanceof z.ZodOptional) return jsonSchemaOf(def.innerType, side);
  if (schema instanceof z.ZodDefault) {
    const inner = jsonSchemaOf(def.innerType, side);
    const value = def.defaultValue();
    return {
      ...inner,
      default: inner.type === "integer" && typeof value === "string" ? Number(value) : value,
    };
  }
  if (schema instanceof z.ZodNullable) {
    return { anyOf: [jsonSchemaOf(def.innerType, side), { type: "null" }] };
  }
  if (schema instanceof z.ZodEffects) return jsonSchemaOf(def.schema, side);
  if (schema instanceof z.ZodPipeline) return jsonSchemaOf(side === "input" ? def.in : def.out, side);
  if (schema instanceof z.ZodString) {
    const out: JsonSchema = { type: "string" };
    for (const check of def.checks) {
      if (check.kind === "max") out.maxLength = check.value;
      if (check.kind === "min") out.minLength = check.value;
      if (check.kind === "regex") out.pattern = check.regex.source;
    }
    return out;
  }
  if (schema instanceof z.ZodNumber) {
    const out: JsonSchema = { type: "number" };
    for (const check of def.checks) {
      if (check.kind === "int") out.type = "integer";
      if (check.kind === "min") out.minimum = check.value;
      if (check.kind === "max") out.maximum = check.value;
    }
    return out;
  }
  if (schema instanceof z.ZodBoolean) return { type: "boolean" };
  if (schema instanceof z.ZodEnum) return { type: "string", enum: [...def.values] };
  if (schema instanceof z.ZodArray) return { type: "array", items: jsonSchemaOf(def.type, side) };
  if (schema instanceof z.ZodUnion) {
    return { anyOf: def.options.map((option: z.ZodTypeAny) => jsonSchemaOf(option, side)) };
  }
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [key, value] of Object.entries(shape)) {
      properties[key] = jsonSchemaOf(value, side);
      if (!isOptional(value)) required.push(key);
    }
    const out: JsonSchema = {
      type: "object",
      properties,
      additionalProperties: def.unknownKeys !== "strict",
    };
    if (required.length > 0) out.required = required;
    return out;
  }
  throw new TypeError(`Cannot describe a ${schema.constructor.name} as JSON Schema: not used by the API`);
}

/** The query parameters of a strict query schema, as OpenAPI parameter objects. */
export function queryParameters(schema: z.ZodTypeAny): JsonSchema[] {
  const object = schema instanceof z.ZodEffects ? schema._def.schema : schema;
  const shape = (object as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
  return Object.entries(shape).map(([name, value]) => ({
    name,
    in: "query",
    required: !isOptional(value),
    schema: jsonSchemaOf(value, "output"),
  }));
}
