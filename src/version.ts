/** Version and commit of this build. The build script defines the commit; a dev run asks git. */
import pkg from "../package.json" with { type: "json" };

declare const HAULBOX_BUILD_COMMIT: string | undefined;

/** Semantic version from package.json. */
export const VERSION: string = pkg.version;

function devCommit(): string {
  try {
    const out = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    return out.success ? out.stdout.toString().trim() || "unknown" : "unknown";
  } catch {
    return "unknown";
  }
}

/** Short git commit the binary was built from ("unknown" outside a checkout). */
export const COMMIT: string = typeof HAULBOX_BUILD_COMMIT === "string" ? HAULBOX_BUILD_COMMIT : devCommit();

/** Appended to static asset URLs so browsers fetch new files after an upgrade. */
export const ASSET_VERSION = `${VERSION}-${COMMIT}`;
