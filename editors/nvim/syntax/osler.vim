" Vim syntax file for Osler clinical rules (.osl); mirrors the VS Code
" grammar (editors/vscode/syntaxes/osler.tmLanguage.json) at a coarser grain.
if exists('b:current_syntax')
  finish
endif

syn keyword oslerDeclaration ruleset source enum fact let action rule test baseline assert exclusive priority
syn keyword oslerKeyword     overrides cite given expect year url nothing fires from undetermined examine
syn keyword oslerOperator    and or not in
syn keyword oslerBoolean     true false
syn keyword oslerType        bool number duration string
syn keyword oslerBuiltin     count known
syn match   oslerTypeName    "\<[A-Z][A-Za-z0-9]*\>"
syn match   oslerArrow       "->"
syn match   oslerNumber      "\<\d\+\(\.\d\+\)\=\>"
syn match   oslerDuration    "\<\d\+\(\.\d\+\)\=\(min\|mo\|s\|h\|d\|w\)\>"
syn match   oslerQuantity    "\<\d\+\(\.\d\+\)\=\s*\(mm\[Hg\]\|%\|\(mmol\/L\|mmol_L\|umol\/L\|nmol\/L\|mL\/min\|mg\/dL\|mg_dL\|ug\/mL\|ng\/mL\|ng_mL\|pg\/mL\|pg_mL\|mol\/L\|years\|kg\/m2\|g\/dL\|mg\/L\|ug\/L\|ng\/L\|mmHg\|\/min\|mcg\|g\/L\|U\/L\|bpm\|Cel\|cm\|mm\|kg\|mg\|ug\|ng\|dL\|mL\|m\|g\|L\|a\)\>\)"
syn match   oslerQuantity    "\<\d\+\(\.\d\+\)\=\s*%"
syn match   oslerEscape      contained "\\[\"\\]"
syn region  oslerString      start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=oslerEscape
syn match   oslerComment     "//.*$" contains=@Spell
syn match   oslerDocComment  "///.*$" contains=@Spell

hi def link oslerDeclaration Keyword
hi def link oslerKeyword     Keyword
hi def link oslerOperator    Operator
hi def link oslerBoolean     Boolean
hi def link oslerType        Type
hi def link oslerTypeName    Type
hi def link oslerBuiltin     Function
hi def link oslerArrow       Operator
hi def link oslerNumber      Number
hi def link oslerDuration    Number
hi def link oslerQuantity    Number
hi def link oslerString      String
hi def link oslerEscape      SpecialChar
hi def link oslerComment     Comment
hi def link oslerDocComment  SpecialComment

let b:current_syntax = 'osler'
