/** Text helpers shared by the model and the emitted code. */

export const identifier = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_")
export const quoteKey = (key: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key))
export const refName = (ref: string) => identifier(ref.split("/").pop()!)

export const doc = (text: string | undefined, indent = "") => {
  if (text === undefined || text.trim() === "") return ""
  const lines = text.trim().replace(/\*\//g, "*\\/").split("\n").map((line) => line.trimEnd())
  return `${indent}/**\n${
    lines.map((line) => `${indent} *${line === "" ? "" : " " + line}`).join("\n")
  }\n${indent} */\n`
}

export const firstParagraph = (text: string | undefined) => text?.trim().split(/\n\s*\n/)[0]

export const camel = (name: string) =>
  name.replace(/^X-/, "").replace(/[-_]([a-zA-Z])/g, (_, c: string) => c.toUpperCase()).replace(
    /^[A-Z]/,
    (c) => c.toLowerCase()
  )
