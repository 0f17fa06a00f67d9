// FakeEngine options for the test of the effect-docker-fake-engine command (--config).
export default {
  images: [{ reference: "busybox:latest", size: 1982354, created: 1795933377 }],
  run: (container) =>
    container.cmd[0] === "echo"
      ? { output: [{ stream: "stdout", data: `${container.cmd.slice(1).join(" ")}\n` }], exit: 0 }
      : undefined
}
