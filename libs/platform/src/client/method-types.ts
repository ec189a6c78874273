import type { MethodDefinition } from '@grpc/proto-loader';

/**
 * Types of a generated gRPC service definition (proto-loader-gen-types' `<Service>Definition`), which is
 * where every client's request and response types come from.
 */
export type MethodName<Definition> = Extract<keyof Definition, string>;

/** What a caller sends (proto-loader's input type: enums by name or number, every field optional). */
export type RequestOf<Definition, M extends MethodName<Definition>> =
  Definition[M] extends MethodDefinition<infer Request, infer _In, infer _Out, infer _Response> ? Request : never;

/** What a caller gets back (proto-loader's output type: defaults filled in, enums by name). */
export type ResponseOf<Definition, M extends MethodName<Definition>> =
  Definition[M] extends MethodDefinition<infer _Request, infer _In, infer _Out, infer Response> ? Response : never;
