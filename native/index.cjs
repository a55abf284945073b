'use strict';
// @x/native: the compiled addon, loaded once for this package directory.
module.exports = require('./loader.cjs').loadBinding(__dirname);
