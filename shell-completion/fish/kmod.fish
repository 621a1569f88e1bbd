# fish completion for kmod
set -l commands help list static-nodes

complete -c kmod -f
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'Show version'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'Show help'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a help -d 'Show the help message'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a list -d 'List the loaded modules'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a static-nodes \
    -d 'Print the static device nodes of the running kernel'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s f -l format -x -d 'Output format' \
    -a 'human\t"A human readable format (default)" tmpfiles\t"The tmpfiles.d(5) format" devname\t"The modules.devname format"'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s o -l output -r -F -d 'Write the output to FILE'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s h -l help -d 'Show help'
complete -c kmod -n '__fish_seen_subcommand_from list' -s s -l syslog -d 'Print to syslog, not stderr'
complete -c kmod -n '__fish_seen_subcommand_from list' -s v -l verbose -d 'More messages'
complete -c kmod -n '__fish_seen_subcommand_from list' -l json -d 'Print one JSON document'
complete -c kmod -n '__fish_seen_subcommand_from list' -s V -l version -d 'Show version'
complete -c kmod -n '__fish_seen_subcommand_from list' -s h -l help -d 'Show help'
