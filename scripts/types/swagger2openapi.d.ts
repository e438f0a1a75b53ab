// swagger2openapi ships no types; this is the one function the generator calls.
declare module "swagger2openapi" {
  interface ConvertOptions {
    patch?: boolean;
    warnOnly?: boolean;
    resolve?: boolean;
  }
  const s2o: {
    convertObj(swagger: unknown, options: ConvertOptions): Promise<{ openapi: unknown }>;
  };
  export default s2o;
}
