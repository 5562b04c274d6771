/**
 * The scripts `confl completion <shell>` prints. Each one only collects the words before the cursor and
 * the word under it, calls `confl __complete …`, and hands the answer to the shell (see complete.ts for
 * the protocol). Nothing about confl's commands is written here, so nothing here goes stale.
 */

export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

const bash = `# confl completion for bash. Load it in this shell:   source <(confl completion bash)
# or for every shell:   confl completion bash > ~/.local/share/bash-completion/completions/confl
_confl_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local -a words=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
  local out
  out="$(command confl __complete "\${words[@]}" "$cur" 2>/dev/null)" || return 0
  local directive="\${out##*$'\\n'}"
  [[ "$out" == *$'\\n'* ]] && out="\${out%$'\\n'*}" || out=""
  if [[ "$directive" == ":file" ]]; then
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  COMPREPLY=()
  local line
  while IFS= read -r line; do
    [[ -n "$line" ]] && COMPREPLY+=("\${line%%$'\\t'*}")
  done <<< "$out"
}
complete -o default -F _confl_complete confl
`;

const zsh = `#compdef confl
# confl completion for zsh. Load it in this shell:   source <(confl completion zsh)
# or for every shell: confl completion zsh > "\${fpath[1]}/_confl"
_confl() {
  local -a lines values
  local out directive line
  out="$(command confl __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)" || return 1
  lines=("\${(@f)out}")
  directive="\${lines[-1]}"
  lines=("\${(@)lines[1,-2]}")
  if [[ "$directive" == ":file" ]]; then
    _files
    return
  fi
  for line in "\${lines[@]}"; do
    [[ -z "$line" ]] && continue
    if [[ "$line" == *$'\\t'* ]]; then
      values+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      values+=("\${line//:/\\\\:}")
    fi
  done
  _describe -t confl 'confl' values
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _confl "$@"
else
  compdef _confl confl
fi
`;

const fish = `# confl completion for fish. Load it in this shell:   confl completion fish | source
# or for every shell:   confl completion fish > ~/.config/fish/completions/confl.fish
function __confl_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct)
    set -l out (command confl __complete $words "$current" 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    if test "$directive" = ":file"
        __fish_complete_path "$current"
        return
    end
    printf '%s\\n' $out
end
complete -c confl -f -a '(__confl_complete)'
`;

const powershell = `# confl completion for PowerShell. Load it in this shell:   confl completion powershell | Out-String | Invoke-Expression
# or add that line to $PROFILE.
Register-ArgumentCompleter -Native -CommandName confl -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0) { $words = @($words | Select-Object -SkipLast 1) }
    $out = @(& confl __complete @words $wordToComplete 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    if ($directive -eq ':file') { return }
    $out | Select-Object -SkipLast 1 | ForEach-Object {
        $parts = $_ -split "\`t", 2
        $tip = if ($parts.Count -gt 1 -and $parts[1]) { $parts[1] } else { $parts[0] }
        [System.Management.Automation.CompletionResult]::new($parts[0], $parts[0], 'ParameterValue', $tip)
    }
}
`;

export const SCRIPTS: Record<Shell, string> = { bash, zsh, fish, powershell };
