;;; headless.el --- Batch test of editors/emacs with eglot  -*- lexical-binding: t; -*-

;; Opens the fixture ruleset with its deliberate error in `osler-mode',
;; connects eglot to `osler lsp', waits for the diagnostic (through
;; flymake, as a user sees it), asks for a hover and a definition (xref, as
;; M-. does), then shuts the server down and checks it exited with status 0.
;;
;; Run: OSLER=/path/to/osler emacs -Q --batch -l editors/emacs/test/headless.el
;; Exit status 0 when every check passes; the eglot events are printed on
;; failure.

;;; Code:

;; Eglot is built in from Emacs 29; on Emacs 28 it comes from an ELPA
;; package (Debian's elpa-eglot), which `emacs -Q' does not activate.
(unless (locate-library "eglot")
  (require 'package)
  (dolist (directory '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
    (when (file-directory-p directory)
      (add-to-list 'package-directory-list directory t)))
  (package-initialize))
(require 'eglot)
(require 'xref)
(require 'flymake)

(defvar osler-test--repo
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name))))
(add-to-list 'load-path (expand-file-name "editors/emacs" osler-test--repo))
(require 'osler-mode)

(defvar osler-test--fixture (expand-file-name "editors/test-fixtures/acute_limb" osler-test--repo))
(defvar osler-test--timeout
  (/ (string-to-number (or (getenv "OSLER_EDITOR_TIMEOUT_MS") "20000")) 1000.0))
(defvar osler-test--failures 0)
(defvar osler-test--server nil)

(setq osler-server-command (list (or (getenv "OSLER") "osler") "lsp"))
(setq eglot-sync-connect osler-test--timeout
      eglot-connect-timeout osler-test--timeout
      eglot-events-buffer-size 2000000)

(defun osler-test--say (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n")))

(defun osler-test--check (ok what &optional detail)
  (if ok
      (osler-test--say "ok   %s" what)
    (setq osler-test--failures (1+ osler-test--failures))
    (osler-test--say "FAIL %s%s" what (if detail (format ": %s" detail) "")))
  ok)

(defun osler-test--wait (predicate)
  "Process server output until PREDICATE returns non-nil or the time is up."
  (let ((deadline (+ (float-time) osler-test--timeout))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun osler-test--line-of (file regexp)
  "The 1-based line of FILE where REGEXP first matches."
  (with-temp-buffer
    (insert-file-contents file)
    (goto-char (point-min))
    (and (re-search-forward regexp nil t) (line-number-at-pos))))

(defun osler-test--finish ()
  (when (> osler-test--failures 0)
    (osler-test--say "emacs: %d check(s) failed; eglot events:" osler-test--failures)
    (when (and osler-test--server (buffer-live-p (jsonrpc-events-buffer osler-test--server)))
      (with-current-buffer (jsonrpc-events-buffer osler-test--server)
        (let ((text (buffer-string)))
          (osler-test--say "%s" (substring text (max 0 (- (length text) 6000)))))))
    (kill-emacs 1))
  (osler-test--say "emacs: all checks passed")
  (kill-emacs 0))

(condition-case err
    (let* ((rules (expand-file-name "rules.osl" osler-test--fixture))
           (facts (expand-file-name "facts.osl" osler-test--fixture))
           (buffer (find-file-noselect rules)))
      (set-buffer buffer)
      (osler-test--check (eq major-mode 'osler-mode) "osler-mode for rules.osl" major-mode)
      (font-lock-ensure)
      (goto-char (point-min))
      (re-search-forward "^rule")
      (osler-test--check (eq (get-text-property (match-beginning 0) 'face) 'font-lock-keyword-face)
                         "`rule' highlighted as a keyword")

      ;; The property declarations, in a buffer of their own (no eglot).
      (with-temp-buffer
        (insert-file-contents (expand-file-name "editors/test-fixtures/properties/properties.osl"
                                                osler-test--repo))
        (osler-mode)
        (font-lock-ensure)
        (dolist (case '(("^\\(assert\\) ali_anticoagulated" font-lock-keyword-face
                         "`assert' highlighted as a keyword")
                        ("^assert \\(ali_anticoagulated\\) \"" font-lock-function-name-face
                         "a titled assert's name highlighted as a name")
                        ("^assert \\(no_home_care_in_emergencies\\):" font-lock-function-name-face
                         "an assert's name highlighted as a name")
                        ("^assert \\(leg_pain\\) and" nil
                         "an unnamed assert's condition not highlighted as a name")
                        ("^\\(exclusive\\) " font-lock-keyword-face
                         "`exclusive' highlighted as a keyword")
                        ("^exclusive \\(ali_category\\)" font-lock-function-name-face
                         "the exclusive action highlighted as a name")
                        ("^\\(priority\\) " font-lock-keyword-face
                         "`priority' highlighted as a keyword")
                        ("^priority \\(emergency\\)" font-lock-function-name-face
                         "the first priority action highlighted as a name")
                        ("^priority emergency > \\(treat\\)" font-lock-function-name-face
                         "a later priority action highlighted as a name")))
          (goto-char (point-min))
          (let* ((found (re-search-forward (nth 0 case) nil t))
                 (face (and found (get-text-property (match-beginning 1) 'face))))
            (osler-test--check (and found (eq face (nth 1 case))) (nth 2 case)
                               (if found face "line not found")))))

      ;; Connect as M-x eglot would, with the contact from `eglot-server-programs'.
      (apply #'eglot (eglot--guess-contact))
      (setq osler-test--server (eglot-current-server))
      (osler-test--check (and osler-test--server (jsonrpc-running-p osler-test--server))
                         "eglot connected to osler lsp")
      (osler-test--check (eglot--managed-mode) "buffer managed by eglot")

      ;; The deliberate error, as flymake reports it.
      (let* ((error-line (osler-test--line-of rules "unilaterl"))
             (diagnostic
              (osler-test--wait
               (lambda ()
                 (when eglot--diagnostics (flymake-start))
                 (seq-find (lambda (d) (string-match-p "osler::unknown_fact" (flymake-diagnostic-text d)))
                           (flymake-diagnostics))))))
        (when (osler-test--check diagnostic "flymake diagnostic osler::unknown_fact")
          (osler-test--check (string-match-p "unknown fact `unilaterl'\\|unknown fact `unilaterl`"
                                             (flymake-diagnostic-text diagnostic))
                             "diagnostic message" (flymake-diagnostic-text diagnostic))
          (osler-test--check (eq (flymake-diagnostic-type diagnostic) 'eglot-error) "diagnostic is an error")
          (osler-test--check (= (line-number-at-pos (flymake-diagnostic-beg diagnostic)) error-line)
                             "diagnostic line" (line-number-at-pos (flymake-diagnostic-beg diagnostic)))
          (osler-test--check (equal (buffer-substring-no-properties (flymake-diagnostic-beg diagnostic)
                                                                    (flymake-diagnostic-end diagnostic))
                                    "unilaterl")
                             "diagnostic span covers `unilaterl'")))

      ;; Hover on a fact: its type and `///' doc.
      (goto-char (point-min))
      (re-search-forward "ankle_pressure <")
      (goto-char (+ (match-beginning 0) 3))
      (let* ((hover (jsonrpc-request osler-test--server :textDocument/hover
                                     (eglot--TextDocumentPositionParams)))
             (contents (plist-get hover :contents))
             (text (if (stringp contents) contents (format "%s" (plist-get contents :value)))))
        (osler-test--check (string-match-p "Ankle systolic pressure" text) "hover shows the fact doc" text)
        (osler-test--check (string-match-p "mmHg" text) "hover shows the fact type" text))

      ;; Go to definition (M-.) of the derived fact `absent_pulse'.
      (goto-char (point-min))
      (re-search-forward "absent_pulse and")
      (goto-char (+ (match-beginning 0) 2))
      (let* ((identifier (xref-backend-identifier-at-point 'eglot))
             (definitions (xref-backend-definitions 'eglot identifier))
             (location (and definitions (xref-item-location (car definitions)))))
        (when (osler-test--check location "definition found" identifier)
          (osler-test--check (equal (file-truename (xref-location-group location)) (file-truename facts))
                             "definition in facts.osl" (xref-location-group location))
          (osler-test--check (= (xref-location-line location) (osler-test--line-of facts "^let absent_pulse"))
                             "definition line" (xref-location-line location))))

      ;; Clean shutdown: `shutdown', then `exit', and the process must end by
      ;; itself with status 0.  These are the two messages `eglot-shutdown'
      ;; sends; it then deletes the process at once (SIGKILL) without waiting
      ;; for it, so they are sent here and the exit status read back.
      (let ((process (jsonrpc--process osler-test--server)))
        (setf (eglot--shutdown-requested osler-test--server) t)
        (osler-test--check (null (jsonrpc-request osler-test--server :shutdown nil
                                                  :timeout osler-test--timeout))
                           "shutdown answered")
        (jsonrpc-notify osler-test--server :exit nil)
        (osler-test--wait (lambda () (memq (process-status process) '(exit signal))))
        (osler-test--check (eq (process-status process) 'exit) "server process exited by itself"
                           (process-status process))
        (osler-test--check (eql (process-exit-status process) 0) "server exit status 0"
                           (process-exit-status process))))
  (error (osler-test--check nil "test script ran to the end" (error-message-string err))))

(osler-test--finish)
;;; headless.el ends here
