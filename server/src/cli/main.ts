import { fileURLToPath } from "node:url";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config.ts";
import type { DB } from "../db/schema.ts";
import { openDatabase } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { AppError } from "../errors.ts";
import { createContext } from "../create-context.ts";
import { ensureCategories } from "../modules/cases/categories.service.ts";
import { API_KEY_SCOPES, type ApiKeyScope } from "../modules/auth/actor.ts";
import { createApiKey, listAllApiKeys, MAX_REQUESTS_PER_MINUTE, revokeApiKeyByRef } from "../modules/auth/api-keys.service.ts";
import { brokenChainMessage, describeAuditReport, verifyAuditChain } from "../modules/audit/audit.service.ts";
import { holdsNoDivisions, seedDemoDistrict } from "../modules/demo/demo.seed.ts";
import { importDistrict, readDivisionsFile, BUNDLED_DIVISIONS } from "../modules/divisions/divisions.service.ts";
import { createUser } from "../modules/people/users.service.ts";
import type { AppContext } from "../context.ts";
import { backupCommand, restoreCommand } from "./backup-commands.ts";
import { importGridFile, type GridFileOptions } from "./grid-commands.ts";
import { rebuildRollups, regionsWithCases } from "../modules/evaluation/rollups.repository.ts";
import { generateBulletin } from "../modules/evaluation/bulletins.service.ts";
import { replay } from "../modules/webhooks/webhooks.service.ts";
import { REFERENCE_KINDS, type ReferenceKind } from "../modules/exchange/reference-columns.ts";

/** Runs `work` with a migrated database and a context, then closes the database. */
async function withContext<T>(work: (ctx: AppContext, applied: string[]) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    const applied = await migrate(database.db);
    await ensureCategories(database.db);
    return await work(createContext(database.db, config), applied);
  } finally {
    await database.close();
  }
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

const program = new Command("gridgov")
  .description("Grid-based urban governance and public service platform (网格化社会治理与公共服务平台)")
  .showHelpAfterError();

program
  .command("serve")
  .description("serve the API and the web app on PORT (default 3000)")
  .option("--demo", "demo mode: seed the Panlong demo district into an empty database")
  .action(async (options: { demo?: boolean }) => {
    const config = loadConfig();
    // The database opens (the embedded one in its own thread) while the HTTP application and its
    // routes load, which only the commands that serve do: the others start sooner.
    const opening = openDatabase(config.database);
    opening.catch(() => {}); // Its failure is reported where it is awaited, not as unhandled.
    const { serve } = await import("../server.ts");
    await serve(config, { demo: options.demo === true, opening });
  });

program
  .command("migrate")
  .description("apply pending database migrations")
  .action(() =>
    withContext(async (_ctx, applied) => print({ applied })),
  );

program
  .command("backup")
  .description("write a consistent snapshot of the database to a file, also while the server runs")
  .argument("<file>", "the backup file (gzip'd; written to <file>.partial, then renamed)")
  .action(async (file: string) => print(await backupCommand(loadConfig(), file)));

program
  .command("restore")
  .description("restore a backup into an empty database (on the embedded database, with the server stopped)")
  .argument("<file>", "a file written by gridgov backup")
  .action(async (file: string) => print(await restoreCommand(loadConfig(), file)));

const wholeNumber = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < min || number > max) throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}`);
  return number;
};

program
  .command("seed")
  .description("seed the demo district into an empty database, or generate cases on it")
  .option("--demo", "the Panlong demo district (530103) with staff and grids, into an empty database")
  .option("--cases <n>", "generate N cases with their histories over the past year on the demo district (seeded first into an empty database)", wholeNumber("--cases", 1))
  .option("--years <y>", "spread the generated cases over the past Y years (1 by default)", wholeNumber("--years", 1, 10))
  .option("--seed <s>", "the generator's seed: the same seed gives the same cases (random by default)", wholeNumber("--seed", 0, 2 ** 32 - 1))
  .action(async (options: { demo?: boolean; cases?: number; seed?: number; years?: number }) => {
    if (options.cases === undefined) {
      if (!options.demo) throw new AppError(400, "seed_what", "Give --demo, or --cases N");
      await withContext(async (ctx) => {
        if (!(await holdsNoDivisions(ctx))) throw new AppError(409, "not_empty", "The database already holds divisions; seed an empty one");
        print(await seedDemoDistrict(ctx, ctx.config.demoPassword));
      });
      return;
    }
    // Loaded here: the generator is not needed by any other command.
    const { progressPrinter, seedCasesCommand } = await import("./seed-commands.ts");
    const progress = progressPrinter();
    const summary = await seedCasesCommand(loadConfig(), { cases: options.cases, seed: options.seed, years: options.years }, progress.update);
    progress.done(summary);
    print(summary);
  });

const importCommand = program.command("import").description("import reference data");
importCommand
  .command("divisions")
  .description("load a district's streets and communities from the bundled Kunming divisions (or --file)")
  .requiredOption("--district <code>", "6-digit district code, e.g. 530103", (value) => {
    if (!/^[0-9]{6}$/.test(value)) throw new InvalidArgumentError("a district code has 6 digits");
    return value;
  })
  .option("--file <path>", "a divisions file of the same shape", fileURLToPath(BUNDLED_DIVISIONS))
  .action((options: { district: string; file: string }) =>
    withContext(async (ctx) => print(await importDistrict(ctx, readDivisionsFile(options.file), options.district))),
  );
importCommand
  .command("grids")
  .description("validate and load grids from a GeoJSON FeatureCollection or a zipped Shapefile (nothing is loaded if anything is invalid)")
  .argument("<file>", "GeoJSON (each feature with properties.code, 15 digits, and properties.name) or a .zip of one layer's .shp, .shx, .dbf, .prj (and .cpg)")
  .addOption(new Option("--crs <crs>", "the coordinate system of the file's points (GCJ-02 is converted to WGS-84)").choices(["wgs84", "gcj02"]))
  .option("--code-field <name>", "Shapefile: the attribute holding the grid code (default code, CODE or 网格编码)")
  .option("--name-field <name>", "Shapefile: the attribute holding the grid name (default name, NAME or 网格名称)")
  .action((file: string, options: GridFileOptions) =>
    withContext(async (ctx) => print(await importGridFile(ctx, file, options, (line) => process.stderr.write(`${line}\n`)))),
  );

for (const kind of REFERENCE_KINDS) {
  importCommand
    .command(kind)
    .description(`import ${kind === "places" ? "courtyards and buildings" : kind} from an .xlsx or .csv file in the template's columns (nothing if a row is bad, unless --good-rows-only)`)
    .argument("<file>", "the .xlsx or .csv file")
    .option("--good-rows-only", "import the good rows even when some are bad (they are reported)")
    .option("--preview", "check and report only; write nothing")
    .action((file: string, options: { goodRowsOnly?: boolean; preview?: boolean }) =>
      withContext(async (ctx) => {
        const { referenceImportCommand } = await import("./reference-commands.ts");
        print(await referenceImportCommand(ctx, kind, file, options));
      }),
    );
}
program
  .command("export")
  .description("write staff, departments or places (courtyards and buildings) to an .xlsx file in the import template's columns")
  .argument("<kind>", REFERENCE_KINDS.join(", "), (value) => {
    if (!(REFERENCE_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${REFERENCE_KINDS.join(", ")}`);
    return value as ReferenceKind;
  })
  .argument("<file>", "the .xlsx file to write")
  .action((kind: ReferenceKind, file: string) =>
    withContext(async (ctx) => {
      const { referenceExportCommand } = await import("./reference-commands.ts");
      print(await referenceExportCommand(ctx, kind, file));
    }),
  );

const users = program.command("users").description("manage accounts");
users
  .command("create")
  .description("create an account (the first administrator, for instance)")
  .requiredOption("--username <name>")
  .requiredOption("--roles <roles>", "comma-separated roles, e.g. admin")
  .option("--display-name <name>")
  .option("--scope <code>", "division code the account works in (required for staff)")
  .option("--department <code>", "department code, for handlers")
  .option("--phone <number>")
  .option("--password <password>", "the password (or set GRIDGOV_PASSWORD)")
  .action(
    (options: { username: string; roles: string; displayName?: string; scope?: string; department?: string; phone?: string; password?: string }) =>
      withContext(async (ctx) => {
        const password = options.password ?? process.env.GRIDGOV_PASSWORD;
        if (!password) throw new AppError(400, "password_required", "Give --password or set GRIDGOV_PASSWORD");
        print(
          await createUser(ctx, null, {
            username: options.username,
            displayName: options.displayName ?? options.username,
            password,
            roles: options.roles.split(",").map((role) => role.trim()).filter(Boolean),
            scopeCode: options.scope ?? null,
            departmentCode: options.department ?? null,
            phone: options.phone ?? null,
          }),
        );
      }),
  );
users
  .command("list")
  .description("list accounts with their roles and scope")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) =>
    withContext(async (ctx) => {
      const rows = await ctx.db
        .selectFrom("users")
        .select(["username", "display_name", "roles", "scope_code"])
        .orderBy("username")
        .execute();
      const list = rows.map((row) => ({ username: row.username, displayName: row.display_name, roles: row.roles, scope: row.scope_code }));
      if (options.json) print(list);
      else for (const user of list) process.stdout.write(`${user.username}\t${user.roles.join(",")}\t${user.scope ?? "-"}\t${user.displayName}\n`);
    }),
  );

const apiKeys = program.command("api-keys").description("API keys for machine clients");

apiKeys
  .command("create")
  .description("create an API key acting as a user; the key is printed once")
  .requiredOption("--user <username>")
  .requiredOption("--name <name>", "what the key is for")
  .requiredOption("--organisation <organisation>", "the organisation the client belongs to")
  .option("--scopes <scopes>", "comma-separated, of read, report, exchange", "read,report")
  .option("--expires <when>", "ISO 8601 date or date and time in the future; absent: never")
  .option("--per-minute <n>", "the key's own request limit (default API_KEY_REQUESTS_PER_MINUTE)", wholeNumber("--per-minute", 1, MAX_REQUESTS_PER_MINUTE))
  .action((options: { user: string; name: string; organisation: string; scopes: string; expires?: string; perMinute?: number }) =>
    withContext(async (ctx) => {
      const user = await ctx.db.selectFrom("users").select("id").where("username", "=", options.user).executeTakeFirst();
      if (!user) throw new AppError(404, "user_not_found", `No user ${options.user}`);
      const scopes = options.scopes.split(",").map((scope) => scope.trim());
      const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
      if (unknown.length) throw new AppError(400, "invalid_api_key", `Unknown scope(s) ${unknown.join(", ")}: use read, report, exchange`, { field: "scopes" });
      print(
        await createApiKey(ctx, null, user.id, {
          name: options.name,
          organisation: options.organisation,
          scopes: scopes as ApiKeyScope[],
          requestsPerMinute: options.perMinute,
          expiresAt: options.expires,
        }),
      );
    }),
  );

apiKeys
  .command("list")
  .description("every API key: prefix, name, organisation, owner, scopes, limit, expiry, last use, state")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) =>
    withContext(async (ctx) => {
      const keys = await listAllApiKeys(ctx);
      if (options.json) return print(keys);
      for (const key of keys) {
        const fields = [key.id, key.prefix, key.state, key.name, key.organisation, key.owner.username, key.scopes.join(","), `${key.requestsPerMinute}/min`];
        fields.push(key.expiresAt ?? "-", key.lastUsedAt ?? "-");
        process.stdout.write(`${fields.join("\t")}\n`);
      }
    }),
  );

apiKeys
  .command("revoke")
  .description("revoke an API key by its id or its prefix (ggk_ and six characters); audited")
  .argument("<key>", "id or prefix")
  .action((ref: string) =>
    withContext(async (ctx) => {
      print({ revoked: await revokeApiKeyByRef(ctx, ref) });
    }),
  );

program
  .command("audit")
  .description("the hash-chained audit log")
  .command("verify")
  .description("recompute every region's audit chain; exit 1 naming the region and seq of the first problem")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) =>
    withContext(async (ctx) => {
      const report = await verifyAuditChain(ctx.db);
      if (options.json) print(report);
      else process.stdout.write(describeAuditReport(report));
      const broken = brokenChainMessage(report);
      if (broken) throw new AppError(409, "audit_chain_broken", broken);
    }),
  );

program
  .command("rollups")
  .description("the evaluation rollups")
  .command("rebuild")
  .description("recompute the evaluation rollups from the case events (on the embedded database, with the server stopped)")
  .option("--region <code>", "one region (district code); every region with cases by default")
  .action((options: { region?: string }) =>
    withContext(async (ctx) => {
      const regions = options.region ? [options.region] : await regionsWithCases(ctx.db);
      const started = performance.now();
      for (const region of regions) await rebuildRollups(ctx.db, region);
      print({ rebuilt: regions, seconds: Math.round((performance.now() - started) / 100) / 10 });
    }),
  );

program
  .command("bulletins")
  .description("the periodic bulletins (通报)")
  .command("generate")
  .description("publish the bulletin of an ended period (a month 2026-11, or a half month 2026-11-H1 / 2026-11-H2)")
  .requiredOption("--period <code>", "the period")
  .option("--region <code>", "the region (district code); the only district with cases by default")
  .action((options: { period: string; region?: string }) =>
    withContext(async (ctx) => {
      const regions = options.region ? [options.region] : await regionsWithCases(ctx.db);
      if (regions.length !== 1) throw new AppError(400, "region_required", "Name the region with --region");
      print(await generateBulletin(ctx, regions[0], options.period, null));
    }),
  );

const exchange = program.command("exchange").description("exchange work orders with the 12345 hotline platform");
exchange
  .command("hotline-import")
  .description("import a 12345 work-order file (xlsx or CSV) through a saved mapping; numbers already held are left as they are")
  .argument("<file>", "the .xlsx or .csv file")
  .requiredOption("--mapping <name>", "the saved mapping's name")
  .option("--region <code>", "the district, when mappings of that name exist in several")
  .option("--good-rows-only", "import the good rows even when some are bad (they are reported)")
  .option("--preview", "check and report only; write nothing")
  .action((file: string, options: { mapping: string; region?: string; goodRowsOnly?: boolean; preview?: boolean }) =>
    withContext(async (ctx) => {
      const { hotlineImportCommand } = await import("./exchange-commands.ts");
      print(await hotlineImportCommand(ctx, file, options));
    }),
  );
exchange
  .command("hotline-export")
  .description("write the results of a source's imported cases in the mapping's columns (.xlsx, or .csv by the file name)")
  .requiredOption("--mapping <name>", "the saved mapping's name")
  .option("--region <code>", "the district, when mappings of that name exist in several")
  .requiredOption("--from <day>", "first day of import, yyyy-mm-dd")
  .requiredOption("--to <day>", "last day of import, yyyy-mm-dd")
  .requiredOption("--out <file>", "the file to write")
  .action((options: { mapping: string; region?: string; from: string; to: string; out: string }) =>
    withContext(async (ctx) => {
      const { hotlineExportCommand } = await import("./exchange-commands.ts");
      print(await hotlineExportCommand(ctx, options));
    }),
  );

const instant = (value: string) => {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) throw new InvalidArgumentError("a time is ISO 8601, e.g. 2026-12-01T08:00:00+08:00 or 2026-12-01");
  return at;
};

program
  .command("webhooks")
  .description("webhook subscriptions")
  .command("replay")
  .description("queue a subscription's case events again from a time, with their original event ids (on the embedded database, with the server stopped; else use the API or console)")
  .argument("<subscription>", "the subscription's id")
  .requiredOption("--from <time>", "the first event's time, ISO 8601", instant)
  .option("--to <time>", "the last event's time, ISO 8601", instant)
  .action((subscription: string, options: { from: Date; to?: Date }) =>
    withContext(async (ctx) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subscription)) throw new AppError(404, "webhook_not_found", `No subscription ${subscription}`);
      print(await replay(ctx, subscription, options.from, options.to ?? null, null));
    }),
  );

program
  .command("openapi")
  .description("print the OpenAPI document")
  .action(async () => {
    // The document needs the routes, not a database: this pool never connects.
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
    const { buildApp } = await import("../app.ts");
    const app = await buildApp(createContext(db, loadConfig()));
    await app.ready();
    process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
    await app.close();
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message;
  process.stderr.write(`gridgov: ${message}\n`);
  if (error instanceof AppError && error.details) process.stderr.write(`${JSON.stringify(error.details, null, 2)}\n`);
  process.exitCode = 1;
}
