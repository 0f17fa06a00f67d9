/**
 * A build context for a registry image made offline (test/testcontainers.test.ts and
 * bench/testcontainers.ts): `base` (busybox) with the host's docker-registry binary and the
 * libraries it loads, serving on 5000.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { programFiles } from "../hostPrograms.js"

export const registryFolder = (dir: string, base: string) => {
  for (const file of programFiles("/usr/bin/docker-registry")) {
    const target = Path.join(dir, "root", file)
    Fs.mkdirSync(Path.dirname(target), { recursive: true })
    Fs.copyFileSync(Fs.realpathSync(file), target)
    Fs.chmodSync(target, 0o755)
  }
  Fs.writeFileSync(
    Path.join(dir, "config.yml"),
    "version: 0.1\nlog: { level: info }\nstorage: { filesystem: { rootdirectory: /var/lib/registry } }\n" +
      "http: { addr: 0.0.0.0:5000 }\n"
  )
  Fs.writeFileSync(
    Path.join(dir, "Dockerfile"),
    `FROM ${base}\nCOPY root/ /\nCOPY config.yml /etc/registry.yml\nEXPOSE 5000\n` +
      `ENTRYPOINT ["/usr/bin/docker-registry", "serve", "/etc/registry.yml"]\n`
  )
  return dir
}
