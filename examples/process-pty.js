// Runs a command on a pty and captures everything it printed: the program sees a terminal (colours,
// line editing, `isatty`), and the last bytes written before it exits are not lost.
import { control, ttyCreateChild } from '@x/process';

control(async () => {
  const child = ttyCreateChild('sh', ['-c', 'test -t 1 && echo "on a terminal: $(tty)"; stty size; printf "last line, no newline"'], {
    pty: { cols: 100, rows: 30 },
  });
  let output = '';
  for await (const chunk of child.terminal.input) output += chunk;
  const { code } = await child.exited;
  // "on a terminal: /dev/pts/N\r\n30 100\r\nlast line, no newline": the terminal turned each \n into \r\n
  console.log(`everything the command printed on a 100x30 pty, as a JSON string: ${JSON.stringify(output)}`);
  return output.endsWith('last line, no newline') && code === 0 ? 0 : 1;
});
