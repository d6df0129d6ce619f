-- Osler for Neovim (0.7 or newer): the `osler` filetype for `*.osl` files
-- and the language server `osler lsp`, one client per ruleset root, started
-- with `vim.lsp.start_client` (Neovim 0.7 has no `vim.lsp.start`).
--
--   vim.opt.runtimepath:append('/path/to/osler/editors/nvim')
--   require('osler').setup()                          -- `osler` on PATH
--   require('osler').setup({ cmd = { '/path/to/osler', 'lsp' } })
local M = {}

-- Root folder -> client id, so every file of a ruleset shares one server.
local clients = {}

-- The folder that holds the ruleset: the nearest ancestor with a `.git`,
-- else the file's own folder (a ruleset is one folder of .osl files).
local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local git = vim.fn.finddir('.git', dir .. ';')
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h')
  end
  return dir
end

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { 'osler', 'lsp' }

  local group = vim.api.nvim_create_augroup('osler', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = '*.osl',
    command = 'setfiletype osler',
  })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'osler',
    callback = function(args)
      vim.bo[args.buf].commentstring = '// %s'
      vim.bo[args.buf].comments = ':///,://'
      if vim.fn.executable(cmd[1]) ~= 1 then
        vim.notify_once(
          ('osler: the language server `%s` was not found; put `osler` on PATH or pass `cmd` to setup()'):format(cmd[1]),
          vim.log.levels.ERROR
        )
        return
      end
      local root = root_of(vim.api.nvim_buf_get_name(args.buf))
      local id = clients[root]
      if id == nil or vim.lsp.get_client_by_id(id) == nil then
        id = vim.lsp.start_client({
          name = 'osler',
          cmd = cmd,
          root_dir = root,
          workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ':t') } },
          on_attach = opts.on_attach,
          capabilities = opts.capabilities,
          on_exit = function(code, signal, client_id)
            clients[root] = nil
            if opts.on_exit then
              opts.on_exit(code, signal, client_id)
            end
          end,
        })
        clients[root] = id
      end
      if id ~= nil then
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
end

return M
