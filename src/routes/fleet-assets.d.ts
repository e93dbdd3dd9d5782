/** Types for the fleet map's embedded assets (imported `with { type: "file" }`: each is a path). */
declare module "leaflet/dist/leaflet.js" {
  const path: string;
  export default path;
}
declare module "uplot/dist/uPlot.iife.min.js" {
  const path: string;
  export default path;
}
declare module "*/fleet-map.js" {
  const path: string;
  export default path;
}
declare module "*/lane-chart.js" {
  const path: string;
  export default path;
}
declare module "*/truck-charts.js" {
  const path: string;
  export default path;
}
