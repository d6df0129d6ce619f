;;; osler-mode.el --- Osler clinical rules (.osl) with eglot  -*- lexical-binding: t; -*-

;; A major mode for Osler rule files (highlighting, comments, indentation
;; kept simple) and its registration with eglot, so that `M-x eglot' (or
;; `eglot-ensure' in the mode hook) starts `osler lsp'.  Eglot is built into
;; Emacs 29; on Emacs 28 install it (Debian: elpa-eglot).
;;
;;   (add-to-list 'load-path "/path/to/osler/editors/emacs")
;;   (require 'osler-mode)
;;   (add-hook 'osler-mode-hook #'eglot-ensure)
;;   ;; optional: (setq osler-server-command '("/path/to/osler" "lsp"))

;;; Code:

(defgroup osler nil
  "Osler clinical decision rules."
  :group 'languages)

(defcustom osler-server-command '("osler" "lsp")
  "The command that starts the Osler language server."
  :type '(repeat string)
  :group 'osler)

(defconst osler--declaration-keywords
  '("ruleset" "source" "enum" "fact" "let" "action" "rule" "test" "baseline" "assert" "exclusive" "priority"))

(defconst osler--font-lock-keywords
  `((,(concat "^\\s-*\\(" (regexp-opt '("rule" "action") t) "\\)\\s-+\\([a-z_][a-z0-9_]*\\)")
     (1 font-lock-keyword-face) (3 font-lock-function-name-face))
    ;; An assert's name counts only when a `:' follows it (with an optional
    ;; title between): `assert x -> y' is unnamed and `x' is a condition.
    ("^\\s-*\\(assert\\)\\s-+\\([a-z_][a-z0-9_]*\\)\\s-*\\(?:\"\\(?:[^\"\\\\\n]\\|\\\\.\\)*\"\\s-*\\)?:"
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    ;; `exclusive ACTION' names an action, coloured as actions are.
    ("^\\s-*\\(exclusive\\)\\s-+\\([a-z_][a-z0-9_]*\\)"
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    ;; `priority A > B > ..' names actions, each coloured as actions are (on
    ;; the keyword's line; continuation lines are left to the server).
    ("^\\s-*\\(priority\\)\\_>"
     (1 font-lock-keyword-face)
     ("\\_<[a-z_][a-z0-9_]*\\_>" nil nil (0 font-lock-function-name-face)))
    (,(concat "^\\s-*\\(" (regexp-opt '("fact" "let") t) "\\)\\s-+\\([a-z_][a-z0-9_]*\\)")
     (1 font-lock-keyword-face) (3 font-lock-variable-name-face))
    ("^\\s-*\\(enum\\)\\s-+\\([A-Za-z_][A-Za-z0-9_]*\\)"
     (1 font-lock-keyword-face) (2 font-lock-type-face))
    (,(concat "^\\s-*\\(" (regexp-opt '("ruleset" "source") t) "\\)\\s-+\\([a-z_][a-z0-9_]*\\)")
     (1 font-lock-keyword-face) (3 font-lock-constant-face))
    (,(regexp-opt (append osler--declaration-keywords
                          '("overrides" "cite" "given" "expect" "year" "url"
                            "nothing" "fires" "from" "undetermined" "examine"))
                  'symbols)
     . font-lock-keyword-face)
    (,(regexp-opt '("and" "or" "not" "in") 'symbols) . font-lock-builtin-face)
    (,(regexp-opt '("true" "false") 'symbols) . font-lock-constant-face)
    (,(regexp-opt '("bool" "number" "duration" "string") 'symbols) . font-lock-type-face)
    (,(regexp-opt '("count" "known") 'symbols) . font-lock-builtin-face)
    ("\\_<[A-Z][A-Za-z0-9]*\\_>" . font-lock-type-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?\\(?:min\\|mo\\|[shdw]\\)\\_>" . font-lock-constant-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?\\s-*\\(?:mm\\[Hg\\]\\|%\\|\\(?:mmol/L\\|mmol_L\\|umol/L\\|nmol/L\\|mL/min\\|mg/dL\\|mg_dL\\|ug/mL\\|ng/mL\\|ng_mL\\|pg/mL\\|pg_mL\\|mol/L\\|years\\|kg/m2\\|g/dL\\|mg/L\\|ug/L\\|ng/L\\|mmHg\\|/min\\|mcg\\|g/L\\|U/L\\|bpm\\|Cel\\|cm\\|mm\\|kg\\|mg\\|ug\\|ng\\|dL\\|mL\\|m\\|g\\|L\\|a\\)\\_>\\)" . font-lock-constant-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?\\s-*%" . font-lock-constant-face)
    ("->" . font-lock-keyword-face))
  "Highlighting for `osler-mode'; the language server refines it.")

(defvar osler-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?/ ". 12" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?% "." table)
    table)
  "Syntax table for `osler-mode'.")

(defun osler--doc-comment-face (state)
  "Face for the comment in STATE: `///' doc comments stand out."
  (if (nth 4 state)
      (save-excursion
        (goto-char (nth 8 state))
        (if (looking-at "///") font-lock-doc-face font-lock-comment-face))
    font-lock-string-face))

;;;###autoload
(define-derived-mode osler-mode prog-mode "Osler"
  "Major mode for Osler clinical decision rules (.osl files)."
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local comment-end "")
  (setq-local font-lock-defaults
              (list osler--font-lock-keywords nil nil nil nil
                    '(font-lock-syntactic-face-function . osler--doc-comment-face)))
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width 2))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.osl\\'" . osler-mode))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `(osler-mode . ,(lambda (&optional _interactive) osler-server-command))))

(provide 'osler-mode)
;;; osler-mode.el ends here
