/**
 * Shell completion scripts for `serin` and `kubectl-serin`. Verbs, kinds, flags and formats are
 * static; Canary names are asked of the cluster at completion time through `serin completion
 * canaries`, passing on whatever -n/--namespace, --kubeconfig and --context are already typed.
 */

const NAMED = 'status promote abort retry pause resume';
const CLUSTER_FLAGS = '-n --namespace --kubeconfig --context';
const ACTION_FLAGS = `--reason --wait --no-wait --dry-run --full ${CLUSTER_FLAGS} --help`;
const GET_WORDS = `canaries approvals -A --all-namespaces -w --watch -o --output ${CLUSTER_FLAGS} --help`;
const STATUS_FLAGS = `-w --watch -o --output ${CLUSTER_FLAGS} --help`;

const bash = (VERBS: string): string => `# serin completion (bash). Load with: source <(serin completion bash)
_serin_cluster_args() {
  local i
  for ((i = 2; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -n|--namespace|--kubeconfig|--context) printf '%s\\n%s\\n' "\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}" ;;
    esac
  done
}

_serin() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" verb="\${COMP_WORDS[1]}"
  local IFS=$'\\n'
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(IFS=' ' compgen -W "${VERBS}" -- "$cur")); return
  fi
  case "$prev" in
    --kubeconfig) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -n|--namespace|--context|--reason|--wait) COMPREPLY=(); return ;;
    -o|--output)
      if [[ "$verb" == status ]]; then COMPREPLY=($(IFS=' ' compgen -W "text json yaml" -- "$cur"))
      else COMPREPLY=($(IFS=' ' compgen -W "table wide json yaml" -- "$cur")); fi
      return ;;
  esac
  case "$verb" in
    get) COMPREPLY=($(IFS=' ' compgen -W "${GET_WORDS}" -- "$cur")) ;;
    completion) COMPREPLY=($(IFS=' ' compgen -W "bash zsh fish" -- "$cur")) ;;
    status|promote|abort|retry|pause|resume)
      if [[ "$cur" == -* ]]; then
        local flags="${ACTION_FLAGS}"
        [[ "$verb" == status ]] && flags="${STATUS_FLAGS}"
        COMPREPLY=($(IFS=' ' compgen -W "$flags" -- "$cur"))
      else
        local args; args=($(_serin_cluster_args))
        COMPREPLY=($(compgen -W "$(\${COMP_WORDS[0]} completion canaries "\${args[@]}" 2>/dev/null)" -- "$cur"))
      fi ;;
  esac
}
complete -o default -F _serin serin kubectl-serin
`;

const zsh = (verbs: string): string => `# serin completion (zsh). Load with: source <(serin completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(verbs)}`;

const fish = (VERBS: string): string => `# serin completion (fish). Load with: serin completion fish | source
function __serin_cluster_args
  set -l words (commandline -opc)
  for i in (seq (count $words))
    switch $words[$i]
      case -n --namespace --kubeconfig --context
        echo $words[$i]
        set -l next (math $i + 1)
        test $next -le (count $words); and echo $words[$next]
    end
  end
end
complete -c serin -f
complete -c serin -n __fish_use_subcommand -a '${VERBS}'
complete -c serin -n '__fish_seen_subcommand_from get' -a 'canaries approvals'
complete -c serin -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'
complete -c serin -n '__fish_seen_subcommand_from ${NAMED}' -a '(serin completion canaries (__serin_cluster_args) 2>/dev/null)'
complete -c serin -s n -l namespace -r
complete -c serin -l kubeconfig -r -F
complete -c serin -l context -r
complete -c serin -s o -l output -r -a 'table wide json yaml text'
complete -c serin -s A -l all-namespaces
complete -c serin -s w -l watch
complete -c serin -l reason -r
complete -c serin -l wait
complete -c serin -l no-wait
complete -c serin -l dry-run
complete -c serin -l full
`;

/** The completion script for each shell, given the verbs (space-separated) the program has. */
export const COMPLETION_SCRIPTS: Readonly<Record<'bash' | 'zsh' | 'fish', (verbs: string) => string>> = {
  bash,
  zsh,
  fish,
};
