/** Type of a CSV file imported `with { type: "text" }`: its text (the SPN name table). */
declare module "*.csv" {
  const text: string;
  export default text;
}
