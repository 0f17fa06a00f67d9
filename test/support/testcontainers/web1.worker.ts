// One of three files that vitest runs in parallel worker processes: the suite is shared.
import "./workerSuite.js"
