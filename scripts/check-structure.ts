/**
 * Checks the rules of the codebase that neither the compiler nor the linter know, and fails with
 * every breach listed:
 * - no source file outside `generated/` over 450 lines;
 * - no import cycle between the packages' modules (type-only imports are erased and do not count);
 * - no `as` cast on an operation's type in the generated operations;
 * - each package's `exports` map lists exactly the modules its `index.ts` exports, and the map it
 *   publishes (`publishConfig`) points each of them at its built files;
 * - every export of a public module has a JSDoc with `@since` and `@category`;
 * - every `ts` example in those JSDocs compiles (written to `dist/examples/` and type-checked).
 *
 *   tsx scripts/check-structure.ts
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")
const packages = ["client", "node", "testing", "testcontainers", "compose"]
const maxLines = 450
const problems: Array<string> = []
const relative = (file: string) => Path.relative(root, file)

const sourceFiles = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = Path.join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : []
  })

/** JSON with object keys sorted, to compare maps whatever their order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v)

const parse = (file: string) => ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)

interface Package {
  readonly name: string
  readonly dir: string
  readonly exports: Readonly<Record<string, string>>
  readonly publishConfig: { readonly exports: unknown; readonly typesVersions: unknown }
}

const packageInfo: Array<Package> = packages.map((name) => {
  const dir = Path.join(root, "packages", name)
  const json = JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8"))
  return { name: json.name, dir, exports: json.exports, publishConfig: json.publishConfig }
})

// Sizes.
const files = packageInfo.flatMap((pkg) => sourceFiles(Path.join(pkg.dir, "src")))
for (const file of files) {
  if (file.includes(`${Path.sep}generated${Path.sep}`)) continue
  const lines = Fs.readFileSync(file, "utf8").split("\n").length - 1
  if (lines > maxLines) problems.push(`${relative(file)}: ${lines} lines (at most ${maxLines})`)
}

// Import cycles, on the imports that remain at run time.
const resolveImport = (from: string, specifier: string): string | undefined => {
  if (specifier.startsWith(".")) return Path.resolve(Path.dirname(from), specifier.replace(/\.js$/, ".ts"))
  const pkg = packageInfo.find((p) => specifier === p.name || specifier.startsWith(`${p.name}/`))
  if (pkg === undefined) return undefined
  const target = pkg.exports[`.${specifier.slice(pkg.name.length)}`]
  return target === undefined ? undefined : Path.join(pkg.dir, target)
}
const runtimeImports = new Map<string, Array<string>>()
for (const file of files) {
  const imports: Array<string> = []
  for (const statement of parse(file).statements) {
    const typeOnly = ts.isImportDeclaration(statement)
      ? statement.importClause?.isTypeOnly === true ||
        (statement.importClause !== undefined && statement.importClause.name === undefined &&
          statement.importClause.namedBindings !== undefined &&
          ts.isNamedImports(statement.importClause.namedBindings) &&
          statement.importClause.namedBindings.elements.length > 0 &&
          statement.importClause.namedBindings.elements.every((element) => element.isTypeOnly))
      : ts.isExportDeclaration(statement) && statement.isTypeOnly
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)
      ? statement.moduleSpecifier.text
      : undefined
    if (specifier === undefined || typeOnly) continue
    const target = resolveImport(file, specifier)
    if (target !== undefined) imports.push(target)
  }
  runtimeImports.set(file, imports)
}
{
  const state = new Map<string, "visiting" | "done">()
  const stack: Array<string> = []
  const visit = (file: string) => {
    if (state.get(file) === "done") return
    if (state.get(file) === "visiting") {
      problems.push(`import cycle: ${[...stack.slice(stack.indexOf(file)), file].map(relative).join(" -> ")}`)
      return
    }
    state.set(file, "visiting")
    stack.push(file)
    for (const next of runtimeImports.get(file) ?? []) visit(next)
    stack.pop()
    state.set(file, "done")
  }
  for (const file of files) visit(file)
}

// Casts in the generated operations.
{
  const file = Path.join(root, "packages/client/src/generated/Operations.ts")
  const casts = Fs.readFileSync(file, "utf8").match(/\bas Effect\.Effect</g) ?? []
  if (casts.length > 0) problems.push(`${relative(file)}: ${casts.length} casts on an operation's type`)
}

// Exports maps and public modules.
const publicModules: Array<string> = []
for (const pkg of packageInfo) {
  const index = Path.join(pkg.dir, "src/index.ts")
  const fromIndex = parse(index).statements.flatMap((statement) =>
    ts.isExportDeclaration(statement) && statement.exportClause !== undefined &&
      ts.isNamespaceExport(statement.exportClause) && ts.isStringLiteral(statement.moduleSpecifier!)
      ? [[statement.exportClause.name.text, statement.moduleSpecifier.text] as const]
      : []
  )
  const wanted = new Map([
    ["./package.json", "./package.json"],
    [".", "./src/index.ts"],
    ...fromIndex.map(([name, specifier]) =>
      [`./${name}`, `./src/${specifier.slice(2).replace(/\.js$/, ".ts")}`] as const
    )
  ])
  const actual = new Map(Object.entries(pkg.exports))
  for (const [key, target] of wanted) {
    if (actual.get(key) !== target) problems.push(`${pkg.name}: exports["${key}"] should be "${target}"`)
  }
  for (const key of actual.keys()) {
    if (!wanted.has(key)) problems.push(`${pkg.name}: exports["${key}"] is not a module of index.ts`)
  }
  // What is published: the same modules, built (dist/esm and dist/dts for import, dist/cjs for require).
  const built = (target: string) => target.replace(/^\.\/src\//, "").replace(/\.ts$/, "")
  const published = Object.fromEntries([...wanted].map(([key, target]) => [
    key,
    key === "./package.json" ? target : {
      import: { types: `./dist/dts/${built(target)}.d.ts`, default: `./dist/esm/${built(target)}.js` },
      require: { types: `./dist/cjs/${built(target)}.d.ts`, default: `./dist/cjs/${built(target)}.js` }
    }
  ]))
  if (canonical(pkg.publishConfig?.exports) !== canonical(published)) {
    problems.push(`${pkg.name}: publishConfig.exports should be ${JSON.stringify(published)}`)
  }
  const typesVersions = {
    "*": Object.fromEntries(
      [...wanted].filter(([key]) => key !== "." && key !== "./package.json").map((
        [key, target]
      ) => [key.slice(2), [`./dist/dts/${built(target)}.d.ts`]])
    )
  }
  if (canonical(pkg.publishConfig?.typesVersions) !== canonical(typesVersions)) {
    problems.push(`${pkg.name}: publishConfig.typesVersions should be ${JSON.stringify(typesVersions)}`)
  }
  publicModules.push(...fromIndex.map(([, specifier]) => Path.join(pkg.dir, "src", specifier.replace(/\.js$/, ".ts"))))
}

// Docs: @since and @category on every export, and examples that compile.
const examplesDir = Path.join(root, "dist/examples")
Fs.rmSync(examplesDir, { recursive: true, force: true })
Fs.mkdirSync(examplesDir, { recursive: true })
const examples: Array<{ readonly file: string; readonly origin: string }> = []
const exported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
for (const file of publicModules) {
  const source = parse(file)
  const text = source.getFullText()
  for (const statement of source.statements) {
    if (!exported(statement)) continue
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(source))
      : [(statement as ts.DeclarationStatement).name?.getText(source) ?? "(anonymous)"]
    const tags = ts.getJSDocTags(
      ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]! : statement
    )
      .map((tag) => tag.tagName.text)
    const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1
    for (const tag of ["since", "category"]) {
      if (!tags.includes(tag)) problems.push(`${relative(file)}:${line}: ${names.join(", ")} has no @${tag}`)
    }
  }
  // Every ```ts block of every JSDoc comment (module docs and members alike).
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    for (const block of comment[0].matchAll(/```ts\n([\s\S]*?)```/g)) {
      const code = block[1]!.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n")
      const at = source.getLineAndCharacterOfPosition(comment.index! + block.index!).line + 1
      const name = `${Path.basename(Path.dirname(Path.dirname(file)))}-${Path.basename(file, ".ts")}-${at}.ts`
      const out = Path.join(examplesDir, name)
      // Each example is a module of its own, whatever it imports.
      Fs.writeFileSync(out, `${code}\nexport {}\n`)
      examples.push({ file: out, origin: `${relative(file)}:${at}` })
    }
  }
}
{
  const base = ts.getParsedCommandLineOfConfigFile(
    Path.join(root, "tsconfig.base.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
  )!.options
  const program = ts.createProgram(examples.map((e) => e.file), {
    ...base,
    composite: false,
    declaration: false,
    noEmit: true,
    emitDeclarationOnly: false,
    // An example shows a call; what it binds need not be used.
    noUnusedLocals: false,
    noUnusedParameters: false,
    types: ["node"]
  })
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const example = examples.find((e) => e.file === diagnostic.file?.fileName)
    const where = example === undefined
      ? diagnostic.file?.fileName ?? "?"
      : `${example.origin} (example line ${
        diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1
      })`
    problems.push(`${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`)
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"))
  console.error(`\n${problems.length} problems`)
  process.exit(1)
}
console.log(
  `structure: ${files.length} source files, no cycle, ${publicModules.length} public modules documented, ${examples.length} examples compile`
)
