-- :checkhealth spoc
local M = {}

function M.check()
  local health = vim.health
  health.start('spoc-lsp')

  if vim.fn.has('nvim-0.10') == 0 then
    health.error('Neovim 0.10 or later is required')
    return
  end
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok("Neovim 0.11+: use vim.lsp.enable('spoc') (or require('spoc').setup())")
  else
    health.ok("Neovim 0.10: use require('spoc').setup()")
  end

  local cmd
  local started = package.loaded['spoc'] and package.loaded['spoc'].active_config
  local config = vim.lsp.config and vim.lsp.config.spoc
  if type(started) == 'table' and type(started.cmd) == 'table' then
    cmd = started.cmd -- require('spoc').setup() on its vim.lsp.start path
  elseif type(config) == 'table' and type(config.cmd) == 'table' then
    cmd = config.cmd
  else
    local ok, spoc = pcall(require, 'spoc')
    cmd = ok and spoc.default_config().cmd or nil
  end
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.warn('cmd is not a list of strings; cannot check the server executable')
  elseif vim.fn.executable(cmd[1]) == 1 then
    health.ok(('server command found: %s'):format(table.concat(cmd, ' ')))
  else
    health.error(
      ('%s is not executable'):format(cmd[1]),
      {
        'install the server: /path/to/venv/bin/pip install /path/to/spoc-lsp (a checkout or a wheel),'
          .. ' or pipx install /path/to/spoc-lsp',
        "or point cmd at a Python that has it: cmd = { '/path/to/venv/bin/python', '-m', 'spoc_lsp' }",
      }
    )
  end
end

return M
