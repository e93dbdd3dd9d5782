/** Types for non-code imports: SQL and YAML come in as text, static assets as embedded file paths. */
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.yaml" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const path: string;
  export default path;
}
declare module "*.svg" {
  const path: string;
  export default path;
}
declare module "htmx.org/dist/htmx.min.js" {
  const path: string;
  export default path;
}
declare module "htmx-ext-sse/dist/sse.js" {
  const path: string;
  export default path;
}
