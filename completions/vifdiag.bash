# bash completion for vifdiag: candidates come from the binary itself (vifdiag __complete),
# so commands, options and domain names follow the command table and the live store.
# The binary reads a live store with a 1 s limit: a hung xenstored cannot freeze TAB.
_vifdiag_dequote()
{
	local s=$1
	case $s in
	\'*) s=${s#\'}; s=${s%\'} ;;
	\"*) s=${s#\"}; s=${s%\"} ;;
	*) s=${s//\\/} ;;
	esac
	printf '%s' "$s"
}

_vifdiag()
{
	local IFS=$'\n' i w cur pre="" joined=0 line
	local -a words=() cands=()
	# bash splits "--color=al" into "--color" "=" "al": join them back into one word
	for ((i = 1; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == = && ${#words[@]} -gt 0 && ${words[-1]} == --* && ${words[-1]} != *=* ]]; then
			words[-1]+="="
			joined=1
			[[ $i == "$COMP_CWORD" ]] && pre=${words[-1]}
		elif ((joined)) && [[ ${words[-1]} == *= ]]; then
			pre=${words[-1]}
			words[-1]+=$(_vifdiag_dequote "$w")
			joined=0
		else
			words+=("$(_vifdiag_dequote "$w")")
			joined=0
		fi
	done
	((COMP_CWORD > 0)) || return 0
	cur=${COMP_WORDS[COMP_CWORD]}
	[[ $cur == = ]] && cur=""
	cur=$(_vifdiag_dequote "$cur")
	# the word readline replaces starts after the '=' (if it is a word break)
	[[ $COMP_WORDBREAKS == *=* ]] || pre=""
	cands=($(vifdiag __complete "${words[@]}" 2>/dev/null))
	COMPREPLY=()
	case ${cands[0]-} in
	__files__* | __dirs__*)
		compopt -o filenames 2>/dev/null
		if [[ ${cands[0]} == __files__* ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi
		return 0
		;;
	esac
	for line in "${cands[@]}"; do
		COMPREPLY+=("${line:${#pre}}")
		# NAME= takes its value right after it
		[[ $line == *= ]] && compopt -o nospace 2>/dev/null
		# a name with a space or a shell character: let readline quote it
		[[ $line == *[^A-Za-z0-9_./=:,+@%-]* ]] && compopt -o filenames 2>/dev/null
	done
	return 0
}
complete -F _vifdiag vifdiag
