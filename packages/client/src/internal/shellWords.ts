/**
 * A command given as one string, split into words as a POSIX shell (and Python's `shlex.split`,
 * which docker-py uses) splits it: blanks separate words, single quotes keep everything, double
 * quotes keep all but `\\`-escapes of `\\`, `"`, `$` and a backquote, a backslash outside quotes
 * escapes the next character. No expansion of variables or globs.
 */

/** The words of `command`, or why it cannot be split (an unclosed quote, a trailing backslash). */
export const split = (command: string): ReadonlyArray<string> | { readonly error: string } => {
  const words: Array<string> = []
  let word = ""
  let inWord = false
  let quote: "'" | "\"" | undefined
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (quote === "\"") {
      if (c === "\"") quote = undefined
      else if (c === "\\" && i + 1 < command.length && "\\\"$`".includes(command[i + 1]!)) word += command[++i]
      else word += c
    } else if (c === "'" || c === "\"") {
      quote = c
      inWord = true
    } else if (c === "\\") {
      if (i + 1 === command.length) return { error: `the command ends with an escape: ${command}` }
      word += command[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ""
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (quote !== undefined) return { error: `the command has an unclosed ${quote}: ${command}` }
  if (inWord) words.push(word)
  return words
}
