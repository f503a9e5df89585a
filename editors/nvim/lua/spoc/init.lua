-- spoc-lsp for Neovim 0.10+: `require('spoc').setup(opts)`.
--
-- On Neovim 0.11+ this is `vim.lsp.config('spoc', opts)` + `vim.lsp.enable('spoc')`, using the
-- config in lsp/spoc.lua. On 0.10 it starts the server with `vim.lsp.start` from a FileType
-- autocmd, with the same config and the same root logic (lua/spoc/root.lua): only a SPOC
-- project's `spoc.toml` and settings module get a client.
--
-- opts (all optional):
--   cmd       = { '/path/to/venv/bin/python', '-m', 'spoc_lsp' }  -- replaces { 'spoc-lsp' }
--   settings  = { spoc = { runtimeCheck = 'onSave', ... } }       -- merged over the defaults
--   any other vim.lsp.ClientConfig field (on_attach, capabilities, ...) replaces the default.
--   use_vim_lsp_start = true  -- use the 0.10 code path (vim.lsp.start) on 0.11+ as well.
--   project_python_files = true  -- also attach to the project's own Python modules (code
--                                   lenses, references and rename from code), as VS Code does.

local M = {}

local root = require('spoc.root')

local OWN_OPTIONS = { use_vim_lsp_start = true }

-- editors/nvim: this file is editors/nvim/lua/spoc/init.lua.
local function plugin_dir()
  local source = debug.getinfo(1, 'S').source
  if source:sub(1, 1) ~= '@' then
    return nil
  end
  local file = vim.fn.fnamemodify(source:sub(2), ':p')
  return vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file)))
end

--- The default config of lsp/spoc.lua (a fresh table on every call).
---@return table
function M.default_config()
  local dir = plugin_dir()
  local file = dir and (dir .. '/lsp/spoc.lua')
  if file == nil or vim.fn.filereadable(file) == 0 then
    file = vim.api.nvim_get_runtime_file('lsp/spoc.lua', false)[1]
  end
  if file == nil then
    error('spoc: lsp/spoc.lua not found: put editors/nvim on runtimepath')
  end
  return dofile(file)
end

--- `base` with `opts` applied: `settings` and `init_options` are merged deeply, every other
--- field (`cmd` included) is replaced.
---@param base table
---@param opts table
---@return table
function M.merge(base, opts)
  local config = vim.tbl_extend('force', {}, base)
  for key, value in pairs(opts) do
    local deep = (key == 'settings' or key == 'init_options')
      and type(value) == 'table'
      and type(config[key]) == 'table'
    if deep then
      config[key] = vim.tbl_deep_extend('force', config[key], value)
    elseif not OWN_OPTIONS[key] then
      config[key] = value
    end
  end
  return config
end

--- Start (or reuse) the client for a buffer when it shows a SPOC config file.
---@param config table a vim.lsp.ClientConfig without root_dir
---@param bufnr integer
---@return integer? client_id
function M.start(config, bufnr)
  local project = root.buffer_root(bufnr, config)
  if project == nil or not require('spoc.command').usable(config.cmd) then
    return nil
  end
  local start = vim.tbl_extend('force', config, { root_dir = project })
  start.project_python_files = nil
  return vim.lsp.start(start, { bufnr = bufnr })
end

local function has_lsp_enable()
  return vim.fn.has('nvim-0.11') == 1 and type(vim.lsp.enable) == 'function'
end

---@param opts table?
function M.setup(opts)
  opts = opts or {}
  local overrides = {}
  for key, value in pairs(opts) do
    if not OWN_OPTIONS[key] then
      overrides[key] = value
    end
  end

  if has_lsp_enable() and not opts.use_vim_lsp_start then
    if next(overrides) ~= nil then
      vim.lsp.config('spoc', overrides)
    end
    vim.lsp.enable('spoc')
    return
  end

  local config = M.merge(M.default_config(), overrides)
  M.active_config = config -- what :checkhealth spoc checks on this path
  local filetypes = config.filetypes or { 'toml', 'python' }
  config.name = 'spoc'
  config.filetypes = nil
  config.root_dir = nil

  local group = vim.api.nvim_create_augroup('spoc-lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = filetypes,
    callback = function(args)
      M.start(config, args.buf)
    end,
  })
  -- Buffers that were opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(filetypes, vim.bo[bufnr].filetype) then
      M.start(config, bufnr)
    end
  end
end

return M
