-- Says once when the enabled spoc config's `cmd` cannot run.
--
-- On Neovim 0.11+, vim.lsp.enable checks that `cmd[1]` is executable before anything of this
-- plugin runs, and only writes the failure to the LSP log: a user sees no client and no reason.
-- This FileType autocmd notices the same thing for the buffers a client would serve and says so
-- with one vim.notify (lua/spoc/command.lua). The Neovim 0.10 path (require('spoc').setup())
-- checks in lua/spoc/init.lua instead.

if vim.g.loaded_spoc_lsp then
  return
end
vim.g.loaded_spoc_lsp = true

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('spoc-lsp-command', { clear = true }),
  pattern = { 'toml', 'python' },
  callback = function(args)
    if type(vim.lsp.is_enabled) ~= 'function' or not vim.lsp.is_enabled('spoc') then
      return
    end
    local ok, config = pcall(function()
      return vim.lsp.config.spoc
    end)
    if not ok or type(config) ~= 'table' then
      return
    end
    if require('spoc.root').buffer_root(args.buf, config) then
      require('spoc.command').usable(config.cmd)
    end
  end,
})
