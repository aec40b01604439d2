// Stress worker body (plain CommonJS, no tsx: it starts in milliseconds): loads the addon given
// in workerData (so that a terminate() can land during its init), then calls a native function
// that throws ERR_INVALID_ARGUMENT, in a tight loop, so that a terminate() lands mid-call.
const { parentPort, workerData } = require('node:worker_threads');

const addon = require(workerData.addon);
parentPort.postMessage('started');
for (;;) {
  try {
    addon.loadVad(0, {});
  } catch {
    // expected: the argument is refused
  }
}
