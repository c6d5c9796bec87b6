# bash completion for vifdiag: candidates come from the binary itself (vifdiag __complete),
# so commands, options and domain names follow the command table and the live store.
_vifdiag()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local IFS=$'\n'
	local cands
	cands=$(vifdiag __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
	if [[ $cands == __files__ ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$cands" -- "$cur"))
	fi
}
complete -F _vifdiag vifdiag
