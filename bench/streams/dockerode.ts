/** dockerode's readers for bench/streams.ts. */
import Dockerode from "dockerode"
import type { Readable } from "node:stream"
import { Writable } from "node:stream"

const docker = new Dockerode({
  socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "")
})

const count = (stream: Readable) =>
  new Promise<number>((resolve, reject) => {
    let total = 0
    stream.on("data", (chunk: Buffer) => total += chunk.length)
    stream.on("end", () => resolve(total))
    stream.on("error", reject)
  })

/** Logs through dockerode's `demuxStream`, both streams counted. */
export const logs = async (id: string) => {
  // follow: true makes dockerode return the stream instead of a Buffer of the whole log.
  const stream = await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true })
  let total = 0
  const counter = () =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        total += chunk.length
        done()
      }
    })
  await new Promise<void>((resolve, reject) => {
    docker.modem.demuxStream(stream, counter(), counter())
    stream.on("end", resolve)
    stream.on("error", reject)
  })
  return total
}

export const exportFs = async (id: string) => count(await docker.getContainer(id).export() as unknown as Readable)

export const archive = async (id: string, path: string) =>
  count(await docker.getContainer(id).getArchive({ path }) as unknown as Readable)
