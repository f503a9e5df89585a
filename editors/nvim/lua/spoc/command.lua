-- Whether the server command can run, said once per command when it cannot.
--
-- Neovim starts no client when `cmd[1]` is not executable, and says nothing a user would see;
-- this turns that into one vim.notify pointing at :checkhealth spoc.

local M = {}

local warned = {}

--- The message shown when `program` (cmd[1]) is not executable.
---@param program string
---@return string
function M.message(program)
  return ('spoc-lsp: the server command %q is not executable, so no language server starts. '
    .. 'Install spoc-lsp where cmd points, or set cmd to a Python that has it '
    .. "({ '/path/to/venv/bin/python', '-m', 'spoc_lsp' }). See :checkhealth spoc"):format(program)
end

--- True when `cmd` can be started (or cannot be checked: a function, a malformed value that
--- Neovim reports itself); otherwise notifies once for that program and returns false.
---@param cmd any
---@return boolean
function M.usable(cmd)
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    return true
  end
  if vim.fn.executable(cmd[1]) == 1 then
    return true
  end
  if not warned[cmd[1]] then
    warned[cmd[1]] = true
    vim.notify(M.message(cmd[1]), vim.log.levels.WARN)
  end
  return false
end

return M
