// Preloaded with `node --require` into a child process by tests that measure memory: on exit it
// writes the process's peak resident set size (all threads, KB) to stderr as `EI_MAX_RSS_KB <n>`.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nEI_MAX_RSS_KB ${process.resourceUsage().maxRSS}\n`);
});
