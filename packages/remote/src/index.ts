/**
 * @x/remote: start Node processes (contexts) and call functions in them, with nothing installed or
 * written on their side. The public surface is filled in as the package is built.
 */
export {};
