/**
 * Types for `import { definePlugin, Type } from "haulbox"` in external plugin files. The module
 * itself does not exist on disk: the running Haulbox provides it (src/plugins/external.ts).
 */
declare module "haulbox" {
  type Api = import("./define").PluginApi;
  /** Declares a plugin. */
  export const definePlugin: Api["definePlugin"];
  /** TypeBox's builder, for `configSchema`. */
  export const Type: Api["Type"];
  /** The same builder under Elysia's name. */
  export const t: Api["t"];
  /** Output schemas results are validated against. */
  export const schemas: Api["schemas"];
  /** Version of the plugin API. */
  export const apiVersion: Api["apiVersion"];
  /** Version of the running Haulbox. */
  export const haulboxVersion: Api["haulboxVersion"];
  const api: Api;
  export default api;
}
