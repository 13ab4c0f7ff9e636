// Preloaded (NODE_OPTIONS=--require) by the test command's Node 24 pass: loads each native addon from the copy
// compiled for Node 24 by scripts/node24.sh when there is one, so node_modules serves the machine's Node and Node 24.
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const addons = join(root, '.temporal', 'tools', 'node24', 'addons');
const load = Module._extensions['.node'];
Module._extensions['.node'] = function (module, filename) {
  const path = relative(root, filename);
  const compiled = join(addons, path);
  return load.call(this, module, !path.startsWith('..') && existsSync(compiled) ? compiled : filename);
};
