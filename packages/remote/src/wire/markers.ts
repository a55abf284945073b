/**
 * The bootstrap's line protocol on a remote's stdout, before frames start (mitogen's EC0/EC2). Each
 * marker is a whole line of fixed text no password prompt, banner or motd prints: `x-remote:EC0:<node
 * version>` from the first stage (send the core now; the version lets the parent refuse an old Node
 * before sending anything), and `x-remote:EC2` from the core once the channel is up.
 */
export const SEND_CORE_MARKER = 'x-remote:EC0:';
export const READY_MARKER = 'x-remote:EC2\n';
/** The extra argument a supervisor gives the core it starts: read the channel on fd 3, write it on fd 4. */
export const SPLIT_ARG = 'x-remote:fds=3,4';
/** The first stage's last argument when a shell moved the channel to fds 3 and 4 and fds 1 and 2 to stderr. */
export const REDIRECTED_ARG = 'x-remote:redirected';
/** The oldest Node a context runs on (module.register with data: URLs and the loader hooks the core uses). */
export const MIN_NODE_VERSION = '20.6.0';
