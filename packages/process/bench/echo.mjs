// The function both sides of the concurrently benchmark call in a child process.
export function echo(message) {
  return message;
}

// The child_process.fork side: answer one IPC message, then leave.
if (process.send) {
  process.once('message', (message) => {
    process.send(echo(message), () => process.disconnect());
  });
}
