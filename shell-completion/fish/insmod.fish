# fish completion for insmod
functions -q __modtool_module_files; or source (status dirname)/modtool-functions.fish

complete -c insmod -f
complete -c insmod -s f -l force -d 'Force the load (dangerous)'
complete -c insmod -l force-modversion -d "Ignore the module's symbol versions"
complete -c insmod -l force-vermagic -d "Ignore the module's version magic"
complete -c insmod -s s -l syslog -d 'Print to syslog, not stderr'
complete -c insmod -s v -l verbose -d 'More messages'
complete -c insmod -s V -l version -d 'Show version'
complete -c insmod -s h -l help -d 'Show help'
complete -c insmod -n 'test (__modtool_positionals) = 0' -k -a '(__modtool_module_files)'
