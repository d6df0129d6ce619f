-- Headless Neovim test of editors/nvim: opens the fixture ruleset with its
-- deliberate error, waits for the diagnostic from `osler lsp`, shows a hover
-- and jumps to a definition the way a user would (vim.lsp.buf.*), then stops
-- the server and checks it exited cleanly (status 0 after shutdown + exit).
--
-- Run (Neovim 0.7 has no `-l`):
--   OSLER=/path/to/osler nvim --headless -n -i NONE -u NONE -c 'luafile editors/nvim/test/headless.lua'
-- Exit status 0 when every check passes; the LSP log is printed on failure.
local repo = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h')
local osler = os.getenv('OSLER') or 'osler'
local fixture = repo .. '/editors/test-fixtures/acute_limb'
local timeout = tonumber(os.getenv('OSLER_EDITOR_TIMEOUT_MS') or '20000')

local failures = {}
local function say(line)
  io.stdout:write(line .. '\n')
end
local function check(condition, what, detail)
  if condition then
    say('ok   ' .. what)
  else
    say('FAIL ' .. what .. (detail and (': ' .. detail) or ''))
    table.insert(failures, what)
  end
  return condition
end

local function finish()
  if #failures > 0 then
    local log = vim.lsp.get_log_path()
    say(('nvim: %d check(s) failed; LSP log %s:'):format(#failures, log))
    local file = io.open(log, 'r')
    if file then
      local lines = {}
      for line in file:lines() do
        table.insert(lines, line)
      end
      file:close()
      for index = math.max(1, #lines - 60), #lines do
        say('  ' .. lines[index])
      end
    end
    vim.cmd('cquit 1')
  else
    say('nvim: all checks passed')
    vim.cmd('qall!')
  end
end

local function line_of(file, pattern)
  local index = 0
  for line in io.lines(file) do
    if line:find(pattern) then
      return index
    end
    index = index + 1
  end
  return -1
end

local ok, error_message = pcall(function()
  vim.lsp.set_log_level('info')
  vim.opt.runtimepath:append(repo .. '/editors/nvim')
  vim.cmd('syntax on')
  local exit_status
  require('osler').setup({
    cmd = { osler, 'lsp' },
    on_exit = function(code, signal)
      exit_status = { code = code, signal = signal }
    end,
  })

  vim.cmd('edit ' .. vim.fn.fnameescape(fixture .. '/rules.osl'))
  local buffer = vim.api.nvim_get_current_buf()
  check(vim.bo[buffer].filetype == 'osler', 'filetype osler for rules.osl', vim.bo[buffer].filetype)

  local client
  vim.wait(timeout, function()
    local _, first = next(vim.lsp.buf_get_clients(buffer))
    client = first
    return (client ~= nil and client.initialized) or exit_status ~= nil
  end, 20)
  if not check(client ~= nil and client.initialized, 'osler lsp started and initialized') then
    return
  end
  check(client.server_capabilities.hoverProvider == true, 'server announces hover')

  -- The deliberate error: `unilaterl` on line 5 of rules.osl.
  local error_line = line_of(fixture .. '/rules.osl', 'unilaterl')
  local found
  vim.wait(timeout, function()
    for _, diagnostic in ipairs(vim.diagnostic.get(buffer)) do
      if diagnostic.code == 'osler::unknown_fact' then
        found = diagnostic
        return true
      end
    end
    return false
  end, 20)
  if check(found ~= nil, 'diagnostic osler::unknown_fact received') then
    check(found.message:find('unknown fact `unilaterl`', 1, true) ~= nil, 'diagnostic message', found.message)
    check(found.lnum == error_line, 'diagnostic line', tostring(found.lnum))
    check(found.severity == vim.diagnostic.severity.ERROR, 'diagnostic is an error')
    local text = vim.api.nvim_buf_get_lines(buffer, found.lnum, found.lnum + 1, false)[1]
    check(text:sub(found.col + 1, found.end_col) == 'unilaterl', 'diagnostic span covers `unilaterl`', text:sub(found.col + 1, found.end_col))
  end

  -- Hover on a fact: its type and its `///` doc, in a floating window.
  local hover_line = line_of(fixture .. '/rules.osl', 'ankle_pressure <')
  local hover_column = vim.api.nvim_buf_get_lines(buffer, hover_line, hover_line + 1, false)[1]:find('ankle_pressure') + 2
  vim.api.nvim_win_set_cursor(0, { hover_line + 1, hover_column })
  local editor_window = vim.api.nvim_get_current_win()
  vim.lsp.buf.hover()
  local hover_text
  vim.wait(timeout, function()
    for _, window in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(window).relative ~= '' then
        hover_text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(window), 0, -1, false), '\n')
        return true
      end
    end
    return false
  end, 20)
  if check(hover_text ~= nil, 'hover window opened') then
    check(hover_text:find('Ankle systolic pressure', 1, true) ~= nil, 'hover shows the fact doc', hover_text)
    check(hover_text:find('mmHg', 1, true) ~= nil, 'hover shows the fact type', hover_text)
  end
  vim.api.nvim_set_current_win(editor_window)
  for _, window in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(window).relative ~= '' then
      vim.api.nvim_win_close(window, true)
    end
  end

  -- Go to definition of the derived fact `absent_pulse` (declared in facts.osl).
  local use_line = line_of(fixture .. '/rules.osl', 'absent_pulse and')
  local use_column = vim.api.nvim_buf_get_lines(buffer, use_line, use_line + 1, false)[1]:find('absent_pulse') + 1
  vim.api.nvim_win_set_cursor(0, { use_line + 1, use_column })
  vim.lsp.buf.definition()
  local definition_line = line_of(fixture .. '/facts.osl', '^let absent_pulse')
  local jumped = vim.wait(timeout, function()
    return vim.api.nvim_buf_get_name(0):sub(-9) == 'facts.osl'
  end, 20)
  check(jumped, 'definition jumps to facts.osl', vim.api.nvim_buf_get_name(0))
  if jumped then
    check(vim.api.nvim_win_get_cursor(0)[1] - 1 == definition_line, 'definition line', tostring(vim.api.nvim_win_get_cursor(0)[1]))
  end

  -- The property declarations, highlighted by syntax/osler.vim in a scratch
  -- buffer (`syntax`, not `filetype`, so no second client starts).
  local scratch = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(scratch, 0, -1, false, { 'assert no_home_care: self_care -> not emergency', 'exclusive ali_category', 'priority emergency > self_care' })
  vim.api.nvim_buf_call(scratch, function()
    vim.bo.syntax = 'osler'
    for _, case in ipairs({ { 1, 'assert' }, { 2, 'exclusive' }, { 3, 'priority' } }) do
      local group = vim.fn.synIDattr(vim.fn.synID(case[1], 1, 1), 'name')
      check(group == 'oslerDeclaration', '`' .. case[2] .. '` highlighted as a declaration keyword', group)
    end
  end)
  vim.api.nvim_buf_delete(scratch, { force = true })

  -- Clean shutdown: `shutdown` then `exit`; the server must exit with 0.
  client.stop()
  vim.wait(timeout, function()
    return exit_status ~= nil
  end, 20)
  if check(exit_status ~= nil, 'server process exited after stop') then
    check(exit_status.code == 0 and exit_status.signal == 0, 'server exit status 0', vim.inspect(exit_status))
  end
end)

check(ok, 'test script ran to the end', error_message)
finish()
