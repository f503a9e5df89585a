-- spoc-lsp for Neovim 0.11+: the language server for SPOC plugin config.
--
-- Install the server into the project's virtualenv (`pip install spoc-lsp`) or with pipx,
-- put this directory (editors/nvim) on 'runtimepath', and enable it:
--
--   vim.opt.runtimepath:append('/path/to/spoc-lsp/editors/nvim')
--   vim.lsp.enable('spoc')
--
-- Override anything with vim.lsp.config (merged over this file), e.g. run the server from a
-- given virtualenv and turn the runtime check on:
--
--   vim.lsp.config('spoc', {
--     cmd = { '/path/to/venv/bin/python', '-m', 'spoc_lsp' },
--     settings = { spoc = { runtimeCheck = 'onSave' } },
--   })
--
-- A client is attached only to a SPOC project's `spoc.toml` and its settings module (see
-- lua/spoc/root.lua); other TOML and Python files never get one, unless you opt in to the
-- project's own Python modules (code lenses, references and rename from code):
--
--   vim.lsp.config('spoc', { project_python_files = true })
--
-- When `cmd` is not executable, one vim.notify says so (see :checkhealth spoc). On Neovim 0.10 use
-- `require('spoc').setup()` instead (lua/spoc/init.lua).

local root = require('spoc.root')

-- The server's settings (section `spoc`), with the server's defaults.
local function defaults()
  return {
    -- python = '/path/to/venv/bin/python', -- interpreter (or venv directory) plugins are
    -- resolved with; unset: $VIRTUAL_ENV, else the project's .venv/venv, else the server's own.
    extraPaths = {}, -- more directories to resolve plugin modules in
    runtimeCheck = 'off', -- 'onSave': import every plugin in a subprocess when a file is saved
    inlayHints = true, -- show each plugin's load order and resolved kind
    severity = vim.empty_dict(), -- per-code level, e.g. { SPOC004 = 'hint', SPOC006 = 'off' }
  }
end

---@type vim.lsp.Config
return {
  cmd = { 'spoc-lsp' },
  filetypes = { 'toml', 'python' },
  root_dir = root.root_dir,
  settings = { spoc = defaults() },
  init_options = { spoc = defaults() },
  -- Send the settings in force (defaults merged with the user's) as initializationOptions too,
  -- so the server starts with them even before it asks for workspace/configuration.
  before_init = function(params, config)
    local settings = config.settings and config.settings.spoc
    if type(settings) == 'table' then
      params.initializationOptions = vim.tbl_deep_extend(
        'force',
        type(params.initializationOptions) == 'table' and params.initializationOptions or {},
        { spoc = settings }
      )
    end
  end,
}
