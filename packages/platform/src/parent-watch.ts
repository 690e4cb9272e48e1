/**
 * `npm start`'s orchestrator gives each child a stdin pipe. If the orchestrator dies, even by
 * SIGKILL, the pipe closes and the child stops exactly as on SIGTERM: drivers closed, socat
 * guards ended, databases closed. Without it a killed orchestrator would leave orphans behind.
 * Call after the process has installed its SIGTERM handler.
 */
export function stopWhenParentGoes(): void {
  if (process.env.KIOSK_PARENT_PIPE !== '1') return;
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.on('end', fire);
  process.stdin.on('close', fire);
  process.stdin.on('error', fire);
  process.stdin.resume();
  // Watching must not keep the process alive once its own work is done.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
