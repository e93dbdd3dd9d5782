/**
 * The appliance's configuration schema: the single source for validation, defaults and the
 * option reference in config.example.yaml (a test checks that every key here is documented there).
 * Plugin options under `sources:` are validated separately against each plugin's own schema.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import "./formats";

const Strict = { additionalProperties: false } as const;

/** One entry of `sources:` as the core sees it; the remaining keys are the plugin's options. */
export const SourceCoreSchema = T.Object(
  {
    id: T.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,62}$", errorMessage: "is not a valid source id: use lowercase letters, digits, - and _ (at most 63, starting with a letter or digit)", description: "Unique id of this source (lowercase letters, digits, - and _)." }),
    plugin: T.String({ minLength: 1, description: "Name of the plugin that runs this source." }),
    enabled: T.Boolean({ default: true, description: "Set to false to keep the source configured but stopped." }),
    schedule: T.Optional(T.String({ format: "cron", description: "Cron expression for polling sources, in the configured timezone." })),
  },
  { additionalProperties: true },
);

/** A validated source: core fields plus the plugin's options (already checked against its schema). */
export type SourceConfig = Static<typeof SourceCoreSchema> & { options: Record<string, unknown> };

export const ConfigSchema = T.Object(
  {
    listen: T.String({ format: "listen", default: "127.0.0.1:8080", description: "Address and port of the web UI and API." }),
    public_url: T.String({ format: "url", default: "", description: "URL people use to reach Haulbox; https makes session cookies Secure." }),
    data_dir: T.String({ minLength: 1, default: "./data", description: "Folder for the database and backups." }),
    timezone: T.String({ format: "timezone", default: "UTC", description: "Timezone for schedules and dates shown in the UI." }),
    plugins_dir: T.String({ default: "", description: "Folder with extra plugin files (.ts or .js); empty for none." }),
    log: T.Object(
      {
        level: T.Union([T.Literal("debug"), T.Literal("info"), T.Literal("warn"), T.Literal("error")], {
          default: "info",
          description: "Lowest level written to the log.",
        }),
      },
      { ...Strict, default: {}, description: "Logging: JSON lines on standard output." },
    ),
    auth: T.Object(
      {
        session_hours: T.Integer({ minimum: 1, maximum: 8760, default: 168, description: "How long a login lasts." }),
        login_attempts_per_ip: T.Integer({ minimum: 1, default: 20, description: "Failed logins allowed from one address per window." }),
        login_attempts_per_account: T.Integer({ minimum: 1, default: 5, description: "Failed logins allowed for one account per window." }),
        login_window_minutes: T.Integer({ minimum: 1, default: 15, description: "Length of the failed-login window." }),
      },
      { ...Strict, default: {}, description: "Logins and sessions." },
    ),
    plugin_host: T.Object(
      {
        call_timeout_seconds: T.Number({ exclusiveMinimum: 0, default: 60, description: "A plugin call running longer than this is abandoned and counted as failed." }),
        retry_initial_seconds: T.Number({ exclusiveMinimum: 0, default: 30, description: "First retry delay after a source fails; doubles on each further failure." }),
        retry_max_seconds: T.Number({ exclusiveMinimum: 0, default: 3600, description: "Longest retry delay." }),
      },
      { ...Strict, default: {}, description: "How plugins are run and how failing ones are retried." },
    ),
    jobs: T.Record(
      T.String(),
      T.Object(
        {
          schedule: T.Optional(T.String({ format: "cron", description: "When the job runs." })),
          enabled: T.Optional(T.Boolean({ description: "Set to false to stop the job." })),
          timeout_seconds: T.Optional(T.Number({ exclusiveMinimum: 0, description: "A run longer than this is marked failed." })),
        },
        Strict,
      ),
      { default: {}, description: "Overrides for built-in jobs, by job name." },
    ),
    backups: T.Object(
      {
        enabled: T.Boolean({ default: true, description: "Set to false to stop the scheduled backups (haulbox backup still makes one by hand)." }),
        schedule: T.String({ format: "cron", default: "15 2 * * *", description: "When the backup job runs, as a cron expression in the configured timezone." }),
        keep: T.Integer({ minimum: 1, maximum: 10_000, default: 14, description: "How many backups to keep in dir; after each new one the oldest beyond this are deleted." }),
        dir: T.String({ default: "", description: "Folder for the backups, relative to this config file's folder; empty for a backups folder inside data_dir." }),
      },
      { ...Strict, default: {}, description: "Backups of the database: a consistent, checked copy written while Haulbox runs." },
    ),
    mqtt: T.Object(
      {
        enabled: T.Boolean({ default: true, description: "Set to false to run without MQTT ingest (no embedded broker, no external connection)." }),
        listen: T.String({ format: "listen", default: "127.0.0.1:1883", description: "Address and port of the embedded MQTT broker (MQTT 3.1.1); use 0.0.0.0:1883 so trucks can reach it." }),
        url: T.String({ format: "mqtt-url", default: "", description: "An external broker to subscribe to instead of the embedded one, like mqtts://user:pass@host:8883; empty for the embedded broker." }),
        client_id: T.String({ default: "", description: "Client id for the persistent session on the external broker; empty derives a stable one from the data folder." }),
        tls: T.Object(
          {
            listen: T.String({ default: "", description: "Address and port of the embedded broker's TLS listener, like 0.0.0.0:8883; empty for none." }),
            cert_file: T.String({ default: "", description: "PEM certificate (chain) for the TLS listener." }),
            key_file: T.String({ default: "", description: "PEM private key for the TLS listener." }),
          },
          { ...Strict, default: {}, description: "Optional TLS listener of the embedded broker." },
        ),
      },
      { ...Strict, default: {}, description: "MQTT ingest: the embedded broker, or an external one." },
    ),
    ingest: T.Object(
      {
        batch_max_rows: T.Integer({ minimum: 1, maximum: 100_000, default: 10_000, description: "Most messages written in one database transaction." }),
        batch_max_ms: T.Integer({ minimum: 1, maximum: 10_000, default: 50, description: "Most time one transaction may spend writing, in milliseconds; what is left goes into the next one." }),
        batch_wait_ms: T.Integer({ minimum: 0, maximum: 1000, default: 0, description: "How long a message waits for others before its transaction starts, in milliseconds; 0 writes at once, a few make bigger transactions on slow storage." }),
        dead_letter_bytes: T.Integer({ minimum: 64, maximum: 1_000_000, default: 2048, description: "Longest payload kept with a dead letter, in bytes." }),
      },
      { ...Strict, default: {}, description: "How telemetry is written to the database." },
    ),
    telemetry: T.Object(
      {
        offline_after_minutes: T.Number({ exclusiveMinimum: 0, default: 15, description: "A truck heard nothing from for this long shows as offline." }),
        map_tile_url: T.String({ default: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", description: "Map tiles for the fleet map; empty shows only the bundled state outlines." }),
        map_attribution: T.String({ default: "© OpenStreetMap contributors", description: "Attribution shown for the map tiles." }),
        retention_days: T.Integer({ minimum: 1, maximum: 3650, default: 90, description: "Raw positions and readings are kept this many days, then thinned to one a minute." }),
        dead_letter_days: T.Integer({ minimum: 1, maximum: 3650, default: 30, description: "Dead letters are kept this many days." }),
      },
      { ...Strict, default: {}, description: "Telemetry storage and display." },
    ),
    costs: T.Object(
      {
        diesel: T.Object(
          {
            source: T.Union([T.Literal("fixed"), T.Literal("eia")], { default: "fixed", description: "Where prices come from: fixed uses the prices below; eia fetches the EIA weekly retail on-highway diesel price per region (needs api_key) and uses the prices below until the first fetch succeeds." }),
            cents_per_gallon: T.Number({ exclusiveMinimum: 0, maximum: 2000, default: 375, description: "Diesel price in cents per US gallon, for every region not listed under by_region." }),
            by_region: T.Object(
              Object.fromEntries(["1A", "1B", "1C", "2", "3", "4", "5"].map((region) => [`padd_${region.toLowerCase()}`, T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 2000, description: `PADD ${region} diesel price, cents per US gallon.` }))])),
              { ...Strict, default: {}, description: "Diesel price per PADD region, keys padd_1a … padd_5 (1A New England, 1B Central Atlantic, 1C Lower Atlantic, 2 Midwest, 3 Gulf Coast, 4 Rocky Mountain, 5 West Coast), cents per US gallon." },
            ),
            api_key: T.String({ default: "", description: "EIA API key (free at eia.gov/opendata); keep it out of this file with api_key_file." }),
            eia_url: T.String({ format: "url", default: "https://api.eia.gov", description: "Base URL of the EIA API." }),
          },
          { ...Strict, default: {}, description: "Where diesel prices come from." },
        ),
        mpg: T.Number({ exclusiveMinimum: 0, maximum: 30, default: 6.5, description: "Fuel economy (miles per US gallon) of a truck with no MPG of its own and too little fuel data to measure one." }),
        mpg_measure_miles: T.Integer({ minimum: 100, maximum: 100_000, default: 1000, description: "Measured MPG uses the truck's total fuel used and distance over its last this many miles." }),
        maintenance_cents_per_mile: T.Number({ minimum: 0, maximum: 1000, default: 20.2, description: "Repair and maintenance, cents per mile (ATRI 2024: 20.2)." }),
        tires_cents_per_mile: T.Number({ minimum: 0, maximum: 1000, default: 4.6, description: "Tires, cents per mile (ATRI 2024: 4.6)." }),
        other_cents_per_mile: T.Number({ minimum: 0, maximum: 1000, default: 0, description: "Any other cost per mile (tolls, permits by the mile)." }),
        fixed_cents_per_day: T.Integer({ minimum: 0, maximum: 10_000_000, default: 15_000, description: "Truck payment, insurance, permits and the like, cents per calendar day a trip takes." }),
        driver_pay: T.Object(
          {
            kind: T.Union([T.Literal("per_mile"), T.Literal("percent")], { default: "per_mile", description: "How pay is counted: per_mile pays cents per mile; percent pays a share of the load's revenue." }),
            cents_per_mile: T.Number({ minimum: 0, maximum: 1000, default: 65, description: "Driver pay per mile, cents (kind per_mile). An owner-operator driving their own truck may set 0: the net is then their pay." }),
            paid_miles: T.Union([T.Literal("all"), T.Literal("loaded")], { default: "all", description: "Which miles are paid (kind per_mile)." }),
            percent: T.Number({ minimum: 0, maximum: 100, default: 25, description: "Driver's share of revenue, percent (kind percent)." }),
          },
          { ...Strict, default: {}, description: "How drivers are paid." },
        ),
      },
      { ...Strict, default: {}, description: "What running a truck costs: the matching engine's net profit uses these. Money in cents." },
    ),
    matching: T.Object(
      {
        circuity_factor: T.Number({ minimum: 1, maximum: 3, default: 1.2, description: "Road miles per straight-line mile, when no route provider is set (US average about 1.2)." }),
        route_provider: T.Object(
          {
            kind: T.Union([T.Literal("none"), T.Literal("osrm"), T.Literal("valhalla")], { default: "none", description: "Which route server gives road miles: none uses the straight line × circuity_factor; osrm or valhalla asks that server." }),
            url: T.String({ format: "url", default: "", description: "Base URL of the OSRM or Valhalla server." }),
            timeout_seconds: T.Number({ exclusiveMinimum: 0, maximum: 60, default: 5, description: "How long to wait for the route server before falling back to the estimate." }),
          },
          { ...Strict, default: {}, description: "An optional route server for the road miles of loads posted without miles; deadhead is always the estimate, since the truck keeps moving." },
        ),
        average_speed_mph: T.Number({ minimum: 20, maximum: 80, default: 50, description: "Average driving speed for hours-of-service planning, mph." }),
        max_deadhead_miles: T.Number({ minimum: 0, maximum: 5000, default: 300, description: "Longest empty run to a pickup for a truck with no preference of its own." }),
      },
      { ...Strict, default: {}, description: "How loads are matched to trucks." },
    ),
    assistant: T.Object(
      {
        provider: T.Union([T.Literal("auto"), T.Literal("none"), T.Literal("embedded"), T.Literal("ollama")], { default: "auto", description: "Who words negotiation plans: auto (the embedded model when its file is there, else the template), none (the template), embedded (a GGUF model run inside the appliance) or ollama (an Ollama server). The figures are always the engine's." }),
        embedded: T.Object(
          {
            model_file: T.String({ default: "models/assistant.gguf", description: "The GGUF model file, relative to this config file's folder (see models/README.md for which models suit)." }),
            context_size: T.Integer({ minimum: 512, maximum: 131_072, default: 4096, description: "Tokens of context: the plan's facts and the answer must fit." }),
            threads: T.Integer({ minimum: 0, maximum: 256, default: 0, description: "CPU threads for the model; 0: one per CPU core (on a small shared VPS fewer can be faster: measure with bench:assistant)." }),
            gpu_layers: T.Union([T.Literal("auto"), T.Integer({ minimum: 0, maximum: 1000 })], { default: "auto", description: "Model layers on the GPU: auto, or 0 for CPU only." }),
            load_timeout_seconds: T.Number({ exclusiveMinimum: 0, maximum: 3600, default: 120, description: "How long the model may take to load before the template is used instead, in seconds." }),
          },
          { ...Strict, default: {}, description: "The model run inside the appliance, for provider embedded." },
        ),
        ollama: T.Object(
          {
            host: T.String({ format: "url", default: "http://127.0.0.1:11434", description: "Base URL of the Ollama server." }),
            model: T.String({ minLength: 1, default: "llama3.2:3b", description: "The model to ask, as Ollama names it (a small instruct model of 1–4 B parameters)." }),
            keep_alive: T.String({ default: "10m", description: "How long Ollama keeps the model loaded after a plan (Ollama's keep_alive, e.g. 10m)." }),
          },
          { ...Strict, default: {}, description: "The Ollama server, for provider ollama." },
        ),
        min_margin_cents: T.Integer({ minimum: 0, maximum: 10_000_000, default: 15_000, description: "The least a load must clear over its costs, in cents: the walk-away rate is the costs plus this." }),
        opening_step_percent: T.Number({ minimum: 0, maximum: 50, default: 8, description: "How far above the target the opening ask goes, in percent." }),
        max_counters: T.Integer({ minimum: 1, maximum: 10, default: 3, description: "Counters to make before walking away from offers under the walk-away rate." }),
        generation_timeout_seconds: T.Number({ exclusiveMinimum: 0, maximum: 600, default: 60, description: "How long a model may take to word a plan before the template's words are used instead, in seconds." }),
      },
      { ...Strict, default: {}, description: "The negotiation assistant: who words its plans, and the figures they rest on." },
    ),
    sources: T.Array(SourceCoreSchema, { default: [], description: "Telemetry and load-board sources, each run by a plugin." }),
  },
  Strict,
);

/** The appliance configuration after validation and defaults, with sources split into core fields and options. */
export type Config = Omit<Static<typeof ConfigSchema>, "sources"> & { sources: SourceConfig[] };
