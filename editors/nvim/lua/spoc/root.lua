-- Which SPOC project a buffer belongs to, and whether the buffer is one of its config files.
--
-- The server only serves a project's `spoc.toml` and its settings module. This module mirrors
-- the search order of the runtime (spoc.config) and of the server (find_project_root and
-- config_kind), so a client is attached to exactly those two files and to no other TOML or
-- Python file:
--
--   * the project root is the nearest directory, walking up from the file, that holds
--     `config/spoc.toml` or `spoc.toml` (a `spoc.toml` inside a directory named `config`
--     belongs to the parent);
--   * its `spoc.toml` is `config/spoc.toml`, else `spoc.toml`;
--   * its settings module is the first of `settings`, `config`, `configuration`, as `NAME.py`
--     or `NAME/__init__.py`, in `config/`, then `conf/`, then the root.
--
-- Works on Neovim 0.10 and later.

local M = {}

local uv = vim.uv or vim.loop

M.TOML_CANDIDATES = { 'config/spoc.toml', 'spoc.toml' }
M.SETTINGS_DIRECTORIES = { 'config', 'conf', '' }
M.SETTINGS_NAMES = { 'settings', 'config', 'configuration' }

local function join(...)
  return table.concat({ ... }, '/')
end

local function is_file(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == 'file'
end

local function parent_of(directory)
  local parent = vim.fs.dirname(directory)
  if parent == nil or parent == directory then
    return nil
  end
  return parent
end

--- An absolute, symlink-free, normalized path (the server compares resolved paths too).
---@param path string
---@return string
function M.resolve(path)
  local real = uv.fs_realpath(path)
  return vim.fs.normalize(real or vim.fn.fnamemodify(path, ':p'))
end

--- The project's `spoc.toml`, or nil.
---@param root string
---@return string?
function M.find_toml(root)
  for _, candidate in ipairs(M.TOML_CANDIDATES) do
    local path = join(root, candidate)
    if is_file(path) then
      return path
    end
  end
  return nil
end

--- Every path the settings module may live at, in search order.
---@param root string
---@return string[]
function M.settings_candidates(root)
  local paths = {}
  for _, directory in ipairs(M.SETTINGS_DIRECTORIES) do
    local base = directory == '' and root or join(root, directory)
    for _, name in ipairs(M.SETTINGS_NAMES) do
      table.insert(paths, join(base, name .. '.py'))
      table.insert(paths, join(base, name, '__init__.py'))
    end
  end
  return paths
end

--- The project's settings module, or nil.
---@param root string
---@return string?
function M.find_settings(root)
  for _, path in ipairs(M.settings_candidates(root)) do
    if is_file(path) then
      return path
    end
  end
  return nil
end

--- The root of the SPOC project holding a (resolved) file path, or nil.
---@param path string
---@return string?
function M.project_root(path)
  local directory = vim.fs.dirname(path)
  while directory do
    if is_file(join(directory, 'config', 'spoc.toml')) then
      return directory
    end
    if is_file(join(directory, 'spoc.toml')) then
      local parent = parent_of(directory)
      if vim.fs.basename(directory) == 'config' and parent and M.find_toml(parent) then
        return parent
      end
      return directory
    end
    directory = parent_of(directory)
  end
  return nil
end

--- `root, kind` when `path` is a SPOC project's `spoc.toml` (kind "toml") or settings module
--- (kind "settings"); nil for every other file.
---@param path string?
---@return string? root
---@return string? kind
function M.config_root(path)
  if path == nil or path == '' or path:match('^%a[%w+.-]*://') then
    return nil -- unnamed, or not a file (fugitive://, oil://, ...)
  end
  path = M.resolve(path)
  local root = M.project_root(path)
  if root == nil then
    return nil
  end
  if path == M.find_toml(root) then
    return root, 'toml'
  end
  if path == M.find_settings(root) then
    return root, 'settings'
  end
  return nil
end

-- Directories of a project whose Python files are not the project's own modules.
local NOT_PROJECT_CODE = { ['.venv'] = true, venv = true, ['site-packages'] = true, node_modules = true }

--- The project root when `path` is one of a SPOC project's own Python modules (not in a
--- virtualenv, site-packages or a hidden directory), else nil.
---@param path string?
---@return string?
function M.python_root(path)
  if path == nil or path == '' or path:match('^%a[%w+.-]*://') or not path:match('%.py$') then
    return nil
  end
  path = M.resolve(path)
  local root = M.project_root(path)
  if root == nil then
    return nil
  end
  for _, part in ipairs(vim.split(path:sub(#root + 2), '/', { plain = true })) do
    if NOT_PROJECT_CODE[part] or part:match('^%.') then
      return nil
    end
  end
  return root
end

--- The project root when the buffer shows a SPOC config file (or, with
--- `opts.project_python_files`, one of the project's Python modules), else nil.
---@param bufnr integer
---@param opts? { project_python_files?: boolean }
---@return string?
function M.buffer_root(bufnr, opts)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = M.config_root(name)
  if root == nil and opts and opts.project_python_files then
    root = M.python_root(name)
  end
  return root
end

--- A `root_dir` for `vim.lsp.config` (Neovim 0.11+): calls `on_dir` only for config files
--- (and the project's Python files when `project_python_files` is set in the config), so no
--- client is started or attached for any other buffer.
---@param bufnr integer
---@param on_dir fun(root_dir?: string)
function M.root_dir(bufnr, on_dir)
  local config = vim.lsp.config and vim.lsp.config.spoc or {}
  local root = M.buffer_root(bufnr, config)
  if root then
    on_dir(root)
  end
end

return M
