// Preloaded (`node -r`) into the processes the tests start (worker-process.ts): when the test
// process that started one goes away without stopping it (a killed Jest run), its IPC channel
// closes and the process stops, gracefully, then by force after 10 s. Not part of the product.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), 10_000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
