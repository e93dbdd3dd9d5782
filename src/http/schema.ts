/**
 * Schema pieces for API responses.
 *
 * Response schemas use TypeBox's plain Integer, not Elysia's `t.Integer`: Elysia's is a transform
 * (it also decodes numeric strings, which query and path parameters need), and a single transform
 * anywhere in a response schema makes Elysia run TypeBox's dynamic `Value.Encode` over every
 * response instead of its compiled check — 60 % of the load board API's CPU at 50 loads a page.
 * tests/routes/response-schemas.test.ts keeps every route's responses free of transforms.
 */
import { Type, type IntegerOptions } from "@sinclair/typebox";

/** An integer in a response. */
export const Integer = (options?: IntegerOptions) => Type.Integer(options);
