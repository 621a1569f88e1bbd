# fish completion for lsmod
complete -c lsmod -f
complete -c lsmod -s s -l syslog -d 'Print to syslog, not stderr'
complete -c lsmod -s v -l verbose -d 'More messages'
complete -c lsmod -l json -d 'Print one JSON document'
complete -c lsmod -s V -l version -d 'Show version'
complete -c lsmod -s h -l help -d 'Show help'
